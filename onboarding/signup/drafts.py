"""Signups carried to another browser: saving the draft behind a "finish later" link, moving it, clearing it.

One signup, one owner. Opening a link moves the signup into the browser that opened it, under a new
wizard id; the draft's row stays behind as a marker, so that every older copy of the signup (the browser
that asked for the link, a second opening of the link) is refused instead of finishing it or being logged
in to the account it makes. The row lock taken by `move_draft` and `close_draft` lets only one of "open the
link" and "Create account in the old browser" win.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from onboarding import links, timezones
from onboarding.mail.queue import queue_mail
from onboarding.models import SignupDraft
from onboarding.signup.accounts import create_account

# Never carried by a link: whoever opens it chooses the password (a link asked for with someone else's
# address must not make an account whose password the asker knows).
# A passkey's public part does travel (SignupState.passkey): the person may have made it on the phone they
# finish on. The account step then counts as unanswered, so whoever opens the link sees the passkey's line
# and presses "Next" for it, or chooses a password instead.
PASSWORD_KEYS = ("password_hash", "password_checked_for")


class SignupMoved(Exception):
    """The signup went on in another browser, from its link: this copy may not finish it."""


def without_password(data):
    """The wizard's storage with no password hash, the account step no longer counting as done."""
    extra = {key: value for key, value in data.get("extra_data", {}).items() if key not in PASSWORD_KEYS}
    extra["valid"] = [step for step in extra.get("valid", []) if step != "account"]
    return {**data, "extra_data": extra}


@transaction.atomic
def save_draft(*, wizard_id, email, data):
    """Keep the wizard's answers (no password) for 7 days behind a new token; returns (token, expires_at).

    One draft per wizard: a newer link replaces the older one's token, so the older link stops working.
    Raises SignupMoved for a wizard whose link was opened elsewhere already.
    """
    draft = SignupDraft.objects.select_for_update().filter(wizard_id=wizard_id).first()
    if draft is not None and draft.used_at:
        raise SignupMoved
    token, token_hash = links.new_resume_token()
    expires_at = timezone.now() + links.RESUME_MAX_AGE
    values = {
        "token_hash": token_hash, "email": email, "data": without_password(data), "expires_at": expires_at,
    }  # fmt: skip
    SignupDraft.objects.update_or_create(wizard_id=wizard_id, defaults=values)
    return token, expires_at


def find_draft(*, token):
    """The draft behind this token, expired or used or not; None for a replaced, finished or unknown token."""
    return SignupDraft.objects.filter(token_hash=links.resume_token_hash(token)).first()


@transaction.atomic
def move_draft(*, token, new_wizard_id):
    """Move a live draft's signup to a new wizard id; returns (draft, its answers), or (draft, None) when the
    link was used or has expired, or (None, None) for no such link. It works once."""
    draft = SignupDraft.objects.select_for_update().filter(token_hash=links.resume_token_hash(token)).first()
    if draft is None or draft.used_at or draft.expires_at <= timezone.now():
        return draft, None
    data = without_password(draft.data)
    draft.used_at = timezone.now()
    draft.moved_to = new_wizard_id
    draft.data = {}
    # Kept as long as the old browser's session could hold the old wizard, then cleared like an expired draft.
    draft.expires_at = draft.used_at + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    draft.save()
    return draft, data


def has_moved(*, wizard_id):
    """True when this wizard's link was opened, so the signup now lives in another browser."""
    return SignupDraft.objects.filter(wizard_id=wizard_id, used_at__isnull=False).exists()


def close_draft(*, wizard_id):
    """In the transaction that finishes a signup: stop its link, or raise SignupMoved if the link was used."""
    draft = SignupDraft.objects.select_for_update().filter(wizard_id=wizard_id).first()
    if draft is not None and draft.used_at:
        raise SignupMoved
    if draft is not None:
        draft.delete()


@transaction.atomic
def create_account_from_signup(*, signup_token, has_draft, **fields):
    """Create the account of a signup still owned by this browser (see create_account for the fields).

    A signup whose link was opened elsewhere raises SignupMoved and creates nothing; one whose link was
    never opened has the link stopped in the same transaction.
    """
    if has_draft:
        close_draft(wizard_id=signup_token)
    return create_account(signup_token=signup_token, **fields)


def discard_draft(*, wizard_id):
    """Forget the draft of a live signup that ended another way (the address was taken), so its link stops."""
    SignupDraft.objects.filter(wizard_id=wizard_id, used_at__isnull=True).delete()


def clear_expired_drafts():
    """Delete drafts past their expiry (used ones once no old copy can still be around); returns how many."""
    deleted, _ = SignupDraft.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


def send_resume_link(*, email, resume_url, expires_at, language, time_zone):
    """Queue the mail carrying the "finish later" link, saying until when it works in the person's zone."""
    with translation.override(language):
        expires = timezones.format_datetime(expires_at, time_zone)
    queue_mail("resume", to=email, language=language, context={"resume_url": resume_url, "expires": expires})
