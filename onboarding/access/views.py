"""Pages of who gets in: an invitation's link, and (in waitlist mode) joining the waitlist and confirming it."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView, View

from onboarding import links
from onboarding.access import invitations, waitlist
from onboarding.access.forms import WaitlistForm
from onboarding.access.gate import mode_page
from onboarding.access.wizard_session import invitation_of, start_invited_signup
from onboarding.limits import MAIL_REFUSAL
from onboarding.models import InvitationStatus
from onboarding.session_keys import WAITLIST_SENT_KEY
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


# The waitlist ----------------------------------------------------------------------------------------


def waitlist_mode_only(request):
    if settings.SIGNUP_MODE != "waitlist":
        raise Http404("The waitlist is open only in waitlist mode.")


class WaitlistView(View):
    """Put an address on the waitlist (the form is on the waitlist-mode page at /signup/)."""

    def get(self, request):
        return redirect("onboarding:signup")

    def post(self, request):
        waitlist_mode_only(request)
        form = WaitlistForm(request.POST)
        if not form.is_valid():
            return mode_page(request, form=form)
        email = form.cleaned_data["email"]
        outcome = waitlist.join(request=request, email=email, name=form.cleaned_data["name"], language=get_language())
        if outcome == "limited":
            messages.warning(request, MAIL_REFUSAL)
            return redirect("onboarding:signup")
        request.session[WAITLIST_SENT_KEY] = email
        return redirect("onboarding:waitlist_sent")


@method_decorator(never_cache, name="dispatch")
class WaitlistSentView(TemplateView):
    """Say where the confirmation link went."""

    template_name = "onboarding/access/waitlist_sent.html"

    def get(self, request, *args, **kwargs):
        if WAITLIST_SENT_KEY not in request.session:
            return redirect("onboarding:signup")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "email": self.request.session[WAITLIST_SENT_KEY]}


def waitlist_link_problem(request, entry):
    """Our page for a waitlist link that cannot confirm anything, saying why."""
    state = waitlist.link_state(entry)
    if state == "confirmed":
        return link_problem(
            request,
            title=_("Your place on the waitlist is already confirmed"),
            message=_("This link works once, and it was used. We will email you an invitation when it is your turn."),
            status=400,
        )
    if state == "expired":
        days = links.lifetimes()["waitlist_confirm_days"]
        return link_problem(
            request,
            title=_("This link has expired"),
            message=ngettext(
                "Links to confirm a place on the waitlist work for %(days)d day. Join the waitlist again for a "
                "new one.",
                "Links to confirm a place on the waitlist work for %(days)d days. Join the waitlist again for a "
                "new one.",
                days,
            )
            % {"days": days},
            status=400,
            more={"url": reverse("onboarding:signup"), "label": _("Join the waitlist")},
        )
    return link_problem(
        request,
        title=_("This link does not work"),
        message=_(
            "The link is not complete, was changed, or a newer link was sent. Open the newest link we sent you, "
            "or copy all of it into the address bar."
        ),
        status=404,
    )


@method_decorator(never_cache, name="dispatch")
class WaitlistConfirmView(View):
    """Show the button that confirms a place on the waitlist (GET), and confirm it (POST), once."""

    template_name = "onboarding/access/waitlist_confirm.html"

    def get(self, request, token):
        entry = waitlist.find(token=token)
        if waitlist.link_state(entry) != "live":
            return waitlist_link_problem(request, entry)
        return render(request, self.template_name, {"email": entry.email})

    def post(self, request, token):
        entry, confirmed = waitlist.confirm(token=token)
        if not confirmed:
            return waitlist_link_problem(request, entry)
        return render(request, "onboarding/access/waitlist_confirmed.html", {"email": entry.email})
