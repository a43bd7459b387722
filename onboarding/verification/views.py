"""Links people open from their mail: confirming an address, and asking for the confirmation again."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView, View

from onboarding import links
from onboarding.limits import MAIL_REFUSAL
from onboarding.models import User
from onboarding.review.risk import add_reason
from onboarding.verification.flow import remember_confirmation, resend_confirmation
from onboarding.verification.services import confirm_email


def link_problem(request, *, title, message, status, resend=False, more=None):
    """Our page for a link that cannot be used: what happened and what to do next (`more`: a url and label)."""
    context = {"title": title, "message": message, "resend": resend, "more": more}
    return render(request, "onboarding/email_links/link_problem.html", context, status=status)


def broken_link(request):
    """Our page for a link that was cut short, changed, or made for something else."""
    return link_problem(
        request,
        title=_("This link does not work"),
        message=_(
            "The link is not complete or was changed. Open it again from the email, or copy all of it "
            "into the address bar."
        ),
        status=400,
    )


@method_decorator(never_cache, name="dispatch")
class ConfirmEmailView(View):
    """Show the confirmation button for a genuine, fresh link (GET), and confirm the address (POST)."""

    template_name = "onboarding/email_links/confirm_email.html"

    def dispatch(self, request, token):
        try:
            user_id, fingerprint = links.read_confirm_email_token(token)
        except links.LinkExpired as expired:
            user = User.objects.filter(pk=expired.value[0]).first()
            if user and not links.fingerprint_matches(user, user.email, expired.value[1]):
                user = None  # the link was for another address or password: it names nobody now
            if user and user.email_verified_at:
                return self.already_confirmed(request)
            if user:
                # An address nobody confirmed in time is one more reason to look at the signup twice.
                add_reason(user_id=user.pk, code="confirmation_expired")
                remember_confirmation(request, user)
            days = links.lifetimes()["confirm_email_days"]
            return link_problem(
                request,
                title=_("This link has expired"),
                message=ngettext(
                    "Links to confirm an email address work for %(days)d day. We can send you a new one.",
                    "Links to confirm an email address work for %(days)d days. We can send you a new one.",
                    days,
                )
                % {"days": days},
                status=400,
                resend=bool(user),
            )
        except links.LinkInvalid:
            return broken_link(request)
        self.user = User.objects.filter(pk=user_id).first()
        if self.user is None:
            return link_problem(
                request,
                title=_("We could not find that account"),
                message=_("The account this link was for no longer exists. You can sign up again."),
                status=404,
            )
        if not links.fingerprint_matches(self.user, self.user.email, fingerprint):
            if self.user.email_verified_at:
                return self.already_confirmed(request)
            return link_problem(
                request,
                title=_("This link is out of date"),
                message=_(
                    "The account's email address or password has changed since the link was sent, "
                    "so it no longer works."
                ),
                status=400,
            )
        if self.user.email_verified_at:
            return self.already_confirmed(request)
        self.fingerprint = fingerprint
        return super().dispatch(request)

    def already_confirmed(self, request):
        return render(request, "onboarding/email_links/already_confirmed.html")

    def get(self, request):
        return render(request, self.template_name, {"email": self.user.email})

    def post(self, request):
        if not confirm_email(user_id=self.user.pk, fingerprint=self.fingerprint):
            return self.already_confirmed(request)
        return redirect("onboarding:email_confirmed")


class EmailConfirmedView(TemplateView):
    """Say the address is confirmed and where to go next."""

    template_name = "onboarding/email_links/email_confirmed.html"


class ResendConfirmationView(View):
    """Send the confirmation email again to the account this browser last dealt with (rate-limited)."""

    def post(self, request):
        next_url = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = reverse("onboarding:confirmation_sent")
        outcome = resend_confirmation(request)
        if outcome == "nothing":
            messages.info(request, _("There is no email address waiting to be confirmed here."))
        elif outcome == "limited":
            messages.warning(request, MAIL_REFUSAL)
        else:
            messages.success(
                request, _("We sent the email again. It can take a few minutes to arrive; check your spam folder too.")
            )
        return redirect(next_url)


class ConfirmationSentView(TemplateView):
    """Say a new confirmation link is on its way (after asking for one from an expired link)."""

    template_name = "onboarding/email_links/confirmation_sent.html"
