"""SIGNUP_MODE at the wizard's door: wrapped around the wizard view in onboarding/urls.py.

`open` lets everyone in. `invite` and `closed` let in only a browser that opened an invitation (still
standing: not revoked, used or expired); `waitlist` lets in the same, and shows everyone else the form to
join the waitlist. Whatever the mode, an account made from an invitation marks it used.
"""

from functools import wraps

from django.conf import settings
from django.shortcuts import render

from onboarding.access.invitations import admits, mark_used
from onboarding.access.wizard_session import forget_invitation, invitation_of


def mode_page(request, *, status=200, form=None):
    """The page people see instead of the wizard in `invite`, `waitlist` and `closed` mode."""
    from onboarding.access.forms import WaitlistForm

    context = {"mode": settings.SIGNUP_MODE}
    if settings.SIGNUP_MODE == "waitlist":
        context["form"] = form or WaitlistForm()
    return render(request, "onboarding/access/mode.html", context, status=status)


def admit_by_mode(view):
    """Show the mode's page to whoever may not sign up now; after an account is made, spend its invitation."""

    @wraps(view)
    def admitted(request, *args, **kwargs):
        invitation_id = invitation_of(request.session)
        if settings.SIGNUP_MODE != "open" and not request.user.is_authenticated and not admits(invitation_id):
            # A step sent without an invitation (a form left open while the mode changed, or a script) is refused.
            return mode_page(request, status=200 if request.method in ("GET", "HEAD") else 403)
        response = view(request, *args, **kwargs)
        user = getattr(request, "account_created", None)  # set by the wizard once the account is committed
        if user is not None and invitation_id:
            mark_used(invitation_id=invitation_id, user=user)
            forget_invitation(request.session)
        return response

    return admitted
