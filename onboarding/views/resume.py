"""Finishing a signup on another device: mailing the link from a wizard step, and opening it anywhere."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView, View

from .. import services
from ..abuse import mail_limited
from ..mail import absolute_url
from .email_links import link_problem

RESUME_SENT_KEY = "resume_link_sent"
# Put in the wizard's extra data by a resume link: the address that link was mailed to, now proven.
PROVEN_EMAIL = "email_proven"


def email_finish_later_link(wizard):
    """Save the wizard as a draft and mail its link to the address from the account step (rate-limited)."""
    request = wizard.request
    email = wizard.get_form_initial("account").get("email", "")
    if "account" not in wizard.extra("valid", []) or not email:
        messages.error(request, _("Enter your email address first, so that we know where to send the link."))
        return redirect(wizard.get_step_url("account"))
    if mail_limited(request, group="resume", address=email):
        messages.warning(
            request, _("We have sent several emails already. Wait a few minutes before asking for another one.")
        )
        return redirect(wizard.get_step_url(wizard.steps.current))
    token, expires_at = services.save_draft(
        wizard_id=wizard.wizard_id, email=email, data=request.session[wizard.storage.prefix]
    )
    services.send_resume_link(
        email=email,
        resume_url=absolute_url(request, reverse("onboarding:resume", args=[token])),
        expires_at=expires_at,
        language=get_language(),
    )
    request.session[RESUME_SENT_KEY] = {"email": email, "expires_at": expires_at.isoformat()}
    return redirect("onboarding:resume_link_sent")


@method_decorator(never_cache, name="dispatch")
class ResumeLinkSentView(TemplateView):
    """Say where the link went and until when it works."""

    template_name = "onboarding/resume_link_sent.html"

    def get(self, request, *args, **kwargs):
        if RESUME_SENT_KEY not in request.session:
            return redirect("onboarding:signup")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        sent = self.request.session[RESUME_SENT_KEY]
        return {**super().get_context_data(**kwargs), "email": sent["email"],
                "expires_at": parse_datetime(sent["expires_at"])}


@method_decorator(never_cache, name="dispatch")
class ResumeSignupView(View):
    """Load the signup behind a "finish later" link into this browser and carry on where it stopped."""

    def get(self, request, token):
        from ..wizard import SignupWizard

        draft = services.find_draft(token=token)
        if draft is None:
            return link_problem(
                request,
                title=_("This link no longer works"),
                message=_(
                    "The signup was already finished, a newer link was sent, or the link is not complete. "
                    "Use the newest link we sent you, or start again."
                ),
                status=404,
                more={"url": reverse("onboarding:signup"), "label": _("Start a new signup")},
            )
        if draft.expires_at <= timezone.now():
            return link_problem(
                request,
                title=_("This link has expired"),
                message=_("Links to finish a signup work for 7 days. Your answers were not kept; please start again."),
                status=400,
                more={"url": reverse("onboarding:signup"), "label": _("Start a new signup")},
            )
        data = draft.data
        data["extra_data"] = {**data.get("extra_data", {}), PROVEN_EMAIL: draft.email.lower()}
        request.session[SignupWizard.session_key()] = data
        messages.info(request, _("Welcome back. Your answers are filled in: carry on where you left off."))
        return redirect("onboarding:signup")
