"""Pages of who gets in: an invitation's link, and (in waitlist mode) joining the waitlist and confirming it."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.generic import View

from onboarding import links
from onboarding.access import invitations
from onboarding.access.wizard_session import invitation_of, start_invited_signup
from onboarding.models import InvitationStatus
from onboarding.verification.views import link_problem


def invitation_problem(request, invitation):
    """Our page for an invitation link that cannot open a signup, saying why and what to do next."""
    status = invitation.status if invitation else None
    if status == InvitationStatus.USED:
        return link_problem(
            request,
            title=_("This invitation has already been used"),
            message=_("An account was made with this invitation, and it works once. Log in to that account instead."),
            status=400,
            more={"url": reverse("login"), "label": _("Log in")},
        )
    if status == InvitationStatus.REVOKED:
        return link_problem(
            request,
            title=_("This invitation was withdrawn"),
            message=_("This invitation no longer stands. If you think that is a mistake, ask whoever invited you."),
            status=400,
        )
    if status == InvitationStatus.EXPIRED:
        days = links.lifetimes()["invitation_days"]
        return link_problem(
            request,
            title=_("This invitation has expired"),
            message=ngettext(
                "Invitations work for %(days)d day. Ask whoever invited you to send it again.",
                "Invitations work for %(days)d days. Ask whoever invited you to send it again.",
                days,
            )
            % {"days": days},
            status=400,
        )
    if status == InvitationStatus.OPENED:
        here = invitation_of(request.session) == invitation.pk
        return link_problem(
            request,
            title=_("This invitation has already been opened"),
            message=_(
                "An invitation opens a signup once, and this one was opened before. The signup carries on in "
                "the browser where it was opened. To carry it to another device, open it there and choose "
                "“Email me a link to finish later”."
            ),
            status=400,
            more={"url": reverse("onboarding:signup"), "label": _("Carry on with your signup in this browser")}
            if here
            else None,
        )
    return link_problem(
        request,
        title=_("This invitation link does not work"),
        message=_(
            "The link is not complete, was changed, or a newer invitation was sent. Open the newest invitation "
            "we sent you, or copy all of its link into the address bar."
        ),
        status=404,
    )


@method_decorator(never_cache, name="dispatch")
class InvitationView(View):
    """Show the invitation (GET: a mail scanner that follows links spends nothing), and start the signup with
    the address filled in and proven (POST), once."""

    template_name = "onboarding/access/invitation.html"

    def get(self, request, token):
        invitation = invitations.find(token=token)
        if invitation is None or invitation.status != InvitationStatus.SENT:
            return invitation_problem(request, invitation)
        return render(request, self.template_name, {"email": invitation.email})

    def post(self, request, token):
        if request.user.is_authenticated:
            messages.info(
                request,
                _("You are logged in as %(username)s. Log out first to sign up with this invitation.")
                % {"username": request.user.get_username()},
            )
            return redirect("onboarding:account")
        invitation, opened = invitations.open_invitation(token=token)
        if not opened:
            return invitation_problem(request, invitation)
        start_invited_signup(request, invitation)
        messages.success(request, _("Welcome. Your email address is filled in: choose a username and a password."))
        return redirect(reverse("onboarding:signup_step", args=["account"]))
