"""Two-step verification at the level of a request: the setup key waiting in the session, the recovery codes
shown once, the login that owes a code, and telling of each change (two_step_changed).

The views call these; the writes themselves are services.py's.
"""

import time

from django.contrib.auth import get_user_model, login

from onboarding.mail.queue import site_name
from onboarding.security import events
from onboarding.session_keys import LOGIN_SECOND_STEP, TWO_STEP_LOGIN, TWO_STEP_NEW_CODES, TWO_STEP_SETUP
from onboarding.twostep import services, totp

SETUP_SECONDS = 10 * 60  # to scan the code and type one from the app
CODES_SECONDS = 10 * 60  # to write the recovery codes down or download them
LOGIN_SECONDS = 5 * 60  # between the right password and the code

CHANGES = ("two_step_on", "two_step_off", "recovery_code_used", "recovery_codes_renewed")


def two_step_changed(request, user, kind):
    """Tell of a change to how this person logs in (one of CHANGES): kept in their security log and mailed to
    the account's address (security/events.py)."""
    assert kind in CHANGES, kind
    events.record(request, user, kind)


# Turning it on ----------------------------------------------------------------------------------------------


def setup_secret(request):
    """The setup key being set up: the one already shown (a reload shows the same QR code), or a new one."""
    pending = request.session.get(TWO_STEP_SETUP)
    if pending and pending["until"] > time.time():
        return pending["secret"]
    secret = totp.new_secret()
    request.session[TWO_STEP_SETUP] = {"secret": secret, "until": time.time() + SETUP_SECONDS}
    return secret


def setup_details(request, user):
    """What the "Turn on" page shows: the QR code (SVG), the setup key grouped for typing, and the account name."""
    secret = setup_secret(request)
    uri = totp.setup_uri(secret, account_name=user.get_username(), issuer=site_name())
    return {"secret": secret, "grouped_secret": totp.grouped(secret), "uri": uri}


def finish_setup(request, user, code):
    """Check the code typed on the "Turn on" page against the waiting key; on success, turn two-step verification
    on and keep the new recovery codes for the page that shows them. True when it worked."""
    secret = setup_secret(request)
    step = totp.matching_step(secret, totp.plain_code(code))
    if step is None:
        return False
    codes = services.turn_on(user=user, secret=secret, step=step)
    del request.session[TWO_STEP_SETUP]
    keep_new_codes(request, codes)
    # This session has just shown a code from the app: as good as a login that asked for one.
    request.session[LOGIN_SECOND_STEP] = "code"
    two_step_changed(request, user, "two_step_on")
    return True


# Recovery codes shown once ------------------------------------------------------------------------------------


def keep_new_codes(request, codes):
    request.session[TWO_STEP_NEW_CODES] = {"codes": codes, "until": time.time() + CODES_SECONDS}


def new_codes(request):
    """The recovery codes just made, as shown (abcd-efgh-jkmn), or None once they are gone."""
    kept = request.session.get(TWO_STEP_NEW_CODES)
    if not kept or kept["until"] <= time.time():
        request.session.pop(TWO_STEP_NEW_CODES, None)
        return None
    return [totp.shown_recovery_code(code) for code in kept["codes"]]


def forget_new_codes(request):
    request.session.pop(TWO_STEP_NEW_CODES, None)


def renew_codes(request, user):
    keep_new_codes(request, services.renew_recovery_codes(user=user))
    two_step_changed(request, user, "recovery_codes_renewed")


def turn_off(request, user):
    services.turn_off(user=user)
    forget_new_codes(request)
    two_step_changed(request, user, "two_step_off")


# Logging in ---------------------------------------------------------------------------------------------------


def begin_login(request, user, next_url):
    """The password was right and the account asks for a code: remember who, for a few minutes, without
    logging them in."""
    request.session[TWO_STEP_LOGIN] = {
        "user": user.pk,
        "hash": user.get_session_auth_hash(),
        "backend": user.backend,
        "next": next_url,
        "until": time.time() + LOGIN_SECONDS,
    }


class PendingLogin:
    """A login waiting for its second step: the user, and where to go after."""

    def __init__(self, user, kept):
        self.user, self.kept = user, kept
        self.next_url = kept["next"]


def pending_login(request):
    """The login waiting in this session for a code, or None (none, too old, or its account changed since)."""
    kept = request.session.get(TWO_STEP_LOGIN)
    if not kept:
        return None
    user = get_user_model().objects.filter(pk=kept["user"], is_active=True).first()
    if (
        kept["until"] <= time.time()
        or user is None
        or user.get_session_auth_hash() != kept["hash"]
        or not services.has_two_step(user)
    ):
        del request.session[TWO_STEP_LOGIN]
        return None
    return PendingLogin(user, kept)


def login_waiting(request):
    """True when this session holds a login waiting for a code, whether or not it is still good."""
    return TWO_STEP_LOGIN in request.session


def finish_login(request, pending, kind):
    """The second step passed (kind "code" or "recovery_code"): log the person in (a new session key)."""
    request.session.pop(TWO_STEP_LOGIN, None)
    login(request, pending.user, backend=pending.kept["backend"])
    request.session[LOGIN_SECOND_STEP] = kind
    if kind == "recovery_code":
        two_step_changed(request, pending.user, "recovery_code_used")


def passed_second_step(request):
    """Whether this session's login passed a second factor (a code, a recovery code, or turning two-step on here),
    or was itself multi-factor (a passkey: something you have, unlocked by something you are or know)."""
    return bool(request.session.get(LOGIN_SECOND_STEP))
