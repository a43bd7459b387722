"""The one place outside the wizard that knows its session layout, for invitations.

TO PORT AT MERGE: when signup/state.py's SignupState owns the layout, `start_invited_signup` becomes a
SignupState constructor (a fresh signup with the account step's email filled in and proven, as a "finish
later" link opened here does) and `invitation_of` one of its readers. Nothing else in onboarding/access/
reads or writes SIGNUP_WIZARD.
"""

from onboarding.session_keys import INVITATION_KEY, PROVEN_EMAIL, SIGNUP_WIZARD

# In the wizard's extra data: the invitation it came from, so that it travels with a "finish later" link.
INVITATION_EXTRA = "invitation"


def start_invited_signup(request, invitation):
    """Start a fresh wizard in this browser from an invitation: `account-email` filled in, the address proven.

    Written as signup/resume.py's ResumeSignupView writes a moved signup: formtools' storage, the proven
    address's key under PROVEN_EMAIL in its extra data (the account is then made confirmed, unless the
    person changes the address), a new session key. The wizard gives it its id at the first answer.
    """
    request.session.cycle_key()
    request.session[SIGNUP_WIZARD] = {
        "step": "account",
        "step_data": {"account": {"account-email": [invitation.email]}},
        "step_files": {},
        "extra_data": {PROVEN_EMAIL: invitation.email_key, INVITATION_EXTRA: invitation.pk},
    }
    # Outside the wizard too: "Start over" clears the wizard, not the invitation that let this browser in.
    request.session[INVITATION_KEY] = invitation.pk


def invitation_of(session):
    """The id of the invitation this browser's signup came from, or None."""
    extra = (session.get(SIGNUP_WIZARD) or {}).get("extra_data") or {}
    return extra.get(INVITATION_EXTRA) or session.get(INVITATION_KEY)


def forget_invitation(session):
    session.pop(INVITATION_KEY, None)
