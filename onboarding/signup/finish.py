"""Finishing a signup: check every step again, create the account exactly once, and say how it went."""

import enum
import logging
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib.auth import login
from django.db import IntegrityError
from django.utils.translation import get_language
from django.views.decorators.debug import sensitive_variables

from onboarding import funnel, timezones
from onboarding.identities import email_key
from onboarding.models import Profile, User
from onboarding.passkeys.made_with import made_with_request
from onboarding.passkeys.services import reserved_marker
from onboarding.review.risk import clues_from
from onboarding.signup.accounts import reserve_username
from onboarding.signup.drafts import SignupMoved, create_account_from_signup, discard_draft
from onboarding.signup.forms import step_form
from onboarding.signup.pages import hand_over
from onboarding.signup.state import LAST, STEPS
from onboarding.verification.flow import confirm_url, remember_confirmation, send_confirmation

logger = logging.getLogger(__name__)


class Outcome(enum.Enum):
    CREATED = "created"  # the account was made: the done page shows it
    # Mandatory verification and the address had an account: its owner was mailed, and the person sees
    # exactly what CREATED shows (the wizard never tells whether an address is registered).
    TAKEN = "taken"
    MOVED = "moved"  # the signup went on in another browser, from its "finish later" link
    RECHECK = "recheck"  # a step failed the final check (Finished.step): back to it, with the reason
    ALREADY_CREATED = "already_created"  # another request of this signup made the account


@dataclass(frozen=True)
class Finished:
    outcome: Outcome
    step: str | None = None  # for RECHECK


def was_created(wizard_id):
    """True when the signup with this id has its account (a second "Create account", another tab)."""
    return bool(wizard_id) and Profile.objects.filter(signup_token=wizard_id).exists()


@sensitive_variables()
def finish_signup(request, state, confirm_form):
    """Check the stored steps again beside the valid confirm form, then write the account exactly once.

    `state` is the signup's SignupState. On CREATED and TAKEN the wizard is cleared, the session has a new
    key (logged in, unless the account must wait) and the done page has its details.
    """
    forms = {LAST: confirm_form}
    for step in STEPS[:-1]:
        form = step_form(step, state, data=state.step_data(step))
        if not form.is_valid() or (step == "account" and not state.has_way_in):
            return recheck(state, step)
        forms[step] = form
    account, profile = forms["account"].cleaned_data, forms["profile"].cleaned_data
    owner = owner_of_taken_email(account["email"])
    if owner:
        return complete_taken(request, state, owner, account, profile)
    try:
        user = create_account_from_signup(
            has_draft=state.has_draft,
            username=account["username"],
            email=account["email"],
            # A passkey signup: the passkey, and no password (none is hashed on this path).
            password_hash=None if state.uses_passkey else state.password_hash,
            passkey=state.passkey if state.uses_passkey else None,
            # Named as "Add a passkey" names one: by the browser that makes the account (as a rule, the one
            # that made the passkey a step before).
            passkey_name=made_with_request(request),
            passkey_made_with=made_with_request(request),
            real_name=profile["real_name"],
            preferred_name=profile["preferred_name"],
            phone=profile["phone"],
            language=get_language(),
            time_zone=timezones.zone_name(request),
            signup_token=state.wizard_id,
            email_verified=state.proven_email == email_key(account["email"]),
            confirm_url_for=partial(confirm_url, request),
            risk_clues=clues_from(request, state.started),
        )
    except SignupMoved:
        return Finished(Outcome.MOVED)
    except IntegrityError:
        # Someone else took the username or email between our check and the write.
        if was_created(state.wizard_id):
            return Finished(Outcome.ALREADY_CREATED)
        owner = owner_of_taken_email(account["email"])
        if owner:
            return complete_taken(request, state, owner, account, profile)
        return recheck(state, "account")
    logger.info("Created account id=%s", user.pk)
    # Committed: from here on, a failing part must not be reported as "nothing was changed" (see errors.py).
    request.account_created = user
    if not user.email_verified_at:
        remember_confirmation(request, user)
    funnel.created(state.started, risk=user.profile.risk_level)
    if user.is_active and not (settings.SIGNUP_EMAIL_VERIFICATION == "mandatory" and not user.email_verified_at):
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")  # a new session key
    else:
        # A new key here too, so the key that carried the answers ends with them.
        request.session.cycle_key()
    with_passkey = state.uses_passkey
    state.close_finished()
    hand_over(
        request.session,
        username=user.username,
        real_name=user.profile.real_name,
        email=user.email,
        greeting=user.profile.greeting_name,
        with_passkey=with_passkey,
    )
    return Finished(Outcome.CREATED)


def owner_of_taken_email(email):
    """With mandatory verification, the account that already has this address (the wizard does not say so)."""
    if settings.SIGNUP_EMAIL_VERIFICATION != "mandatory":
        return None
    return User.objects.with_email(email).select_related("profile").first()


def complete_taken(request, state, owner, account, profile):
    """Answer exactly as for a new signup; only the address's owner learns, by mail, what happened."""
    logger.info("Signup with a taken email address; its owner (id=%s) was told by mail.", owner.pk)
    send_confirmation(request, owner, notice=True)
    # The username reads as taken from now on, as it would after a real signup: trying it again tells
    # nothing about whether the address had an account.
    # A passkey signup's passkey answers there as that account's would (login/forms.reserved_passkey_refusal).
    kept = reserved_marker(state.passkey.credential_id) if state.uses_passkey and state.passkey else ""
    reserve_username(username=account["username"], password_hash=state.password_hash or kept, email=owner.email)
    if state.has_draft:
        discard_draft(wizard_id=state.wizard_id)  # its "finish later" link stops working
    request.session.cycle_key()  # as for a new account awaiting confirmation
    greeting = profile["preferred_name"] or profile["real_name"]
    with_passkey = state.uses_passkey
    state.close_finished()
    hand_over(
        request.session,
        username=account["username"],
        real_name=profile["real_name"],
        email=account["email"],
        greeting=greeting,
        with_passkey=with_passkey,
    )
    return Finished(Outcome.TAKEN)


def recheck(state, step):
    """Send the person back to a step that failed the final check, unless this signup already finished."""
    if was_created(state.wizard_id):
        # Only the request that created the account logs in to it and shows it: this one, a second
        # "Create account" or any other copy of the signup, is told it was created and learns nothing
        # about the account.
        return Finished(Outcome.ALREADY_CREATED)
    logger.info("Signup failed the final check on step %s; sent back to it.", step)
    state.ask_recheck(step)
    return Finished(Outcome.RECHECK, step)
