"""Finishing a signup on another device: mailing the "finish later" link, the page after it is sent, and opening
the link anywhere."""

import logging
import secrets

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.decorators import method_decorator
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView, View

from onboarding import links, timezones
from onboarding.identities import normalize_email
from onboarding.limits import MAIL_REFUSAL, mail_limited
from onboarding.session_keys import RESUME_SENT_KEY
from onboarding.signup.drafts import SignupMoved, move_draft, save_draft, send_resume_link
from onboarding.signup.forms import stored_answers
from onboarding.signup.state import SignupState, step_url
from onboarding.verification.views import link_problem

logger = logging.getLogger(__name__)


def email_finish_later_link(request, state, step):
    """Save the signup (a SignupState) as a draft and mail its link to the address from the account step
    (rate-limited); `step` is the page the person asked from."""
    email = normalize_email(stored_answers("account", state).get("email", ""))
    if "account" not in state.valid_steps or not email:
        messages.error(request, _("Enter your email address first, so that we know where to send the link."))
        return redirect(step_url("account"))
    if mail_limited(request, group="resume", address=email):
        messages.warning(request, MAIL_REFUSAL)
        return redirect(step_url(step))
    state.mark_draft()  # "Create account" then removes the draft; opening the link ends this copy
    try:
        token, expires_at = save_draft(wizard_id=state.wizard_id, email=email, data=state.as_stored())
    except SignupMoved:
        return signup_moved(request, state)
    send_resume_link(
        email=email,
        resume_url=links.resume_url(request, token),
        expires_at=expires_at,
        language=get_language(),
        time_zone=timezones.zone_name(request),
    )
    request.session[RESUME_SENT_KEY] = {"email": email, "expires_at": expires_at.isoformat()}
    return redirect("onboarding:resume_link_sent")


def signup_moved(request, state):
    """Forget the answers of a signup that moved to another browser, and say so (nothing of the account)."""
    state.end()
    logger.info("A signup that moved to another browser was closed in the browser that asked for its link.")
    messages.warning(
        request,
        _(
            "This signup was continued in another browser, from the link we emailed, so it was closed here. "
            "You can start a new signup below."
        ),
    )
    return redirect("onboarding:signup")


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
    """Move the signup behind a "finish later" link into this browser, once, and carry on where it stopped.

    The signup gets a new id here, and the browser that asked for the link (or anyone holding the link)
    is left with a dead copy: only this browser can finish it, be logged in, or see the account.
    """

    def get(self, request, token):
        new_id = secrets.token_urlsafe(16)
        draft, data = move_draft(token=token, new_wizard_id=new_id)
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
        if data is None and draft.used_at:
            return self.used(request, draft)
        if data is None:
            days = links.lifetimes()["resume_days"]
            return link_problem(
                request,
                title=_("This link has expired"),
                message=ngettext(
                    "Links to finish a signup work for %(days)d day. Your answers were not kept; please start again.",
                    "Links to finish a signup work for %(days)d days. Your answers were not kept; please start again.",
                    days,
                )
                % {"days": days},
                status=400,
                more={"url": reverse("onboarding:signup"), "label": _("Start a new signup")},
            )
        state = SignupState(request.session)
        state.adopt(data, wizard_id=new_id, proven_email=draft.email_key)
        if state.passkey:
            # The passkey's public part travels with the signup; its private part stays on the device that made it.
            welcome = _(
                "Welcome back. Your answers are filled in, with the passkey you made. Check them, then carry on. "
                "If you did not make that passkey, choose “Use a password instead”."
            )
        else:
            welcome = _(
                "Welcome back. Your answers are filled in. Choose your password again (a password never "
                "travels in a link), then carry on."
            )
        messages.info(request, welcome)
        # The password first, then on to the first step not yet answered (confirm, when all were).
        return redirect(step_url("account") + "?return=confirm")

    def used(self, request, draft):
        """A second opening: say the link worked once; the browser that holds the signup can send a new one."""
        here = bool(draft.moved_to) and SignupState(request.session).wizard_id == draft.moved_to
        if here:
            more = {"url": reverse("onboarding:signup"), "label": _("Carry on with your signup in this browser")}
        else:
            more = {"url": reverse("onboarding:signup"), "label": _("Start a new signup")}
        return link_problem(
            request,
            title=_("This link has already been used"),
            message=_(
                "A link to finish a signup works once, and this one was opened before. The signup carries on "
                "in the browser where it was opened. To carry it to another device, open it there and choose "
                "“Email me a link to finish later” for a new link."
            ),
            status=400,
            more=more,
        )
