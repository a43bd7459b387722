"""An invitation's signup in this browser: started through SignupState (signup/state.py, the one owner of the
wizard's session layout), and remembered beside it so that "Start over" does not lock the person out."""

from onboarding.session_keys import INVITATION_KEY
from onboarding.signup.state import SignupState


def start_invited_signup(request, invitation):
    """Start a fresh wizard in this browser from an invitation: `account-email` filled in, the address proven
    (the account is then made confirmed, unless the person changes the address)."""
    SignupState(request.session).start_invited(
        email=invitation.email, email_key=invitation.email_key, invitation_id=invitation.pk
    )
    # Outside the wizard too: "Start over" clears the wizard, not the invitation that let this browser in.
    request.session[INVITATION_KEY] = invitation.pk


def invitation_of(session):
    """The id of the invitation this browser's signup came from, or None."""
    return SignupState(session).invitation_id or session.get(INVITATION_KEY)


def forget_invitation(session):
    session.pop(INVITATION_KEY, None)
