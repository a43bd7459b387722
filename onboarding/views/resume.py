"""Finishing a signup on another device: the page after the link is sent, and opening the link anywhere."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView, View

from .. import services, timezones
from ..wizard import SignupWizard
from ..wizard.email import PROVEN_EMAIL, RESUME_SENT_KEY
from .email_links import link_problem

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
        expires = timezones.format_datetime(parse_datetime(sent["expires_at"]), timezones.zone_name(self.request))
        return {**super().get_context_data(**kwargs), "email": sent["email"], "expires": expires}


@method_decorator(never_cache, name="dispatch")
class ResumeSignupView(View):
    """Load the signup behind a "finish later" link into this browser and carry on where it stopped."""

    def get(self, request, token):
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
        request.session.cycle_key()  # a wizard starts in this browser: a new session key, as in SignupWizard
        request.session[SignupWizard.session_key()] = data
        messages.info(request, _("Welcome back. Your answers are filled in: carry on where you left off."))
        return redirect("onboarding:signup")
