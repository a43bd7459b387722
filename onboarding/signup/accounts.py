"""Creating accounts: the one place that writes a new user and profile."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from onboarding import funnel
from onboarding.access.approval import approve_if_trusted, log_approval
from onboarding.identities import email_key, username_key
from onboarding.models import Profile, ReservedUsername, User
from onboarding.passkeys.services import add_passkey
from onboarding.review import risk as signup_risk
from onboarding.verification.services import send_confirmation_email


@transaction.atomic
def create_account(
    *,
    username,
    email,
    password_hash,
    real_name,
    preferred_name="",
    phone="",
    language=None,
    time_zone="",
    email_verified=False,
    signup_token=None,
    date_joined=None,
    confirm_url_for=None,
    risk_clues=None,
    passkey=None,
    passkey_name="",
    passkey_made_with="",
):
    """Create a user with an already hashed password, and their profile, in one transaction.

    With `passkey` (a passkeys.ceremony.NewPasskey, made at the account step) the account logs in with it and
    has an unusable password (`password_hash` is ignored, and nothing is hashed); the passkey is written in the
    same transaction, named `passkey_name` and noted as made with `passkey_made_with` (a browser and system).

    `confirm_url_for(user)` gives the link of the "confirm your email address" mail, which is queued in
    the same transaction (an outbox: the account and its mail are committed together, or neither is),
    unless the address is proven already.

    With SIGNUP_REQUIRES_APPROVAL the account starts inactive until a reviewer approves it, unless its address
    is at a SIGNUP_AUTO_APPROVE_DOMAINS domain (then it is approved here, and that is logged).
    `language` is the one the person signed up in; their mail is written in it. `email_verified`:
    the person already proved the address (they opened a link mailed to it).
    `date_joined` is only for demo data; real signups join now. `risk_clues` (review/risk.SignupClues, from
    the wizard): the account's risk level and reasons are worked out and stored with it; without them
    (demo data, staff) it is low, with no reasons.
    """
    user = User(username=User.normalize_username(username), email=User.objects.normalize_email(email))
    if passkey is not None:
        user.set_unusable_password()  # a random "!" string: no hasher runs
    else:
        user.password = password_hash
    user.is_active = not settings.SIGNUP_REQUIRES_APPROVAL
    if email_verified:
        user.email_verified_at = timezone.now()
        transaction.on_commit(lambda: funnel.record("confirmed"))
    if date_joined is not None:
        user.date_joined = date_joined
    # Made before the user is saved, so that the user's search_text already holds the full name.
    profile = Profile(
        user=user,
        real_name=real_name,
        preferred_name=preferred_name,
        phone=phone,
        language=language or settings.LANGUAGE_CODE,
        time_zone=time_zone,
        signup_token=signup_token,
    )
    if risk_clues is not None:
        signup_risk.set_reasons(profile, signup_risk.assess(email=user.email, clues=risk_clues))
    approved = approve_if_trusted(user, profile)  # SIGNUP_AUTO_APPROVE_DOMAINS: no review, active at once
    user.save()
    profile.save(force_insert=True)
    if passkey is not None:
        add_passkey(
            user=user, new_passkey=passkey, name=passkey_name or gettext("Passkey"), made_with=passkey_made_with
        )
    if approved:
        log_approval(user)
    if confirm_url_for is not None and not email_verified:
        send_confirmation_email(user=user, confirm_url=confirm_url_for(user), language=profile.language)
    return user


def reserve_username(*, username, password_hash="", email=""):
    """Keep a username from use, as if an account had taken it (see ReservedUsername), with the hash of the
    password the signup chose and the key of the address it typed: logging in answers as for that account."""
    ReservedUsername.objects.update_or_create(
        username_key=username_key(User.normalize_username(username)),
        defaults={"password_hash": password_hash or "", "email_key": email_key(email) or ""},
    )
