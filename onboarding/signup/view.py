"""The signup wizard's requests (HTTP only): three steps whose answers wait in the session until "Create account".

The signup's state and its rules of progress are SignupState's (state.py); forms.step_form builds a step's form,
rendering.py its page; finish.finish_signup creates the account and returns an outcome, made a redirect here.

Of django-formtools we keep the session storage's layout (storage.py: live sessions and saved drafts hold it)
and drop the view. We had overridden its dispatch, get, post and get_context_data without super(), written
its management form by hand and had no done(): its flow fights the wizard's promises (an empty wizard in
every visitor's session, only valid answers kept, so Back and the language switch would lose what was typed,
no password hashing, an extra "done" URL, then an empty wizard written back). What it still gave us,
get_form and get_step_url, is now forms.step_form and state.step_url.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.i18n import set_language

from onboarding import funnel, timezones
from onboarding.access import challenge
from onboarding.review import devices
from onboarding.signup.bounds import refusal
from onboarding.signup.drafts import has_moved
from onboarding.signup.finish import Outcome, finish_signup, was_created
from onboarding.signup.forms import step_form
from onboarding.signup.pages import forget_handover, handed_over, signed_in
from onboarding.signup.passkey import AUTH_CHOICES, AUTH_FIELD, switch_auth
from onboarding.signup.rendering import step_page
from onboarding.signup.resume import email_finish_later_link, signup_moved
from onboarding.signup.state import FIRST, LAST, MANAGEMENT_FIELD, STEPS, SignupState, next_step, step_url

logger = logging.getLogger(__name__)


@method_decorator(never_cache, name="dispatch")
# Error reports never carry the typed passwords.
@method_decorator(sensitive_post_parameters("account-password1", "account-password2"), name="dispatch")
class SignupWizard(View):
    """Walk a person through account, profile and confirmation, then create the account once."""

    template_name = "onboarding/wizard.html"

    def dispatch(self, request, *args, step=None, **kwargs):
        self.state = SignupState(request.session)
        # A POST into a wizard that is not in the session means the session expired or was replaced.
        self.resumed = self.state.stored
        if request.user.is_authenticated:
            return signed_in(request)
        # Only a browser that asked for a "finish later" link can hold a copy that moved elsewhere.
        if self.state.has_draft and has_moved(wizard_id=self.state.wizard_id):
            return signup_moved(request, self.state)
        if request.method == "GET" and step and not self.resumed and handed_over(request.session):
            # Back or reload onto a step after finishing, not logged in (approval or verification holds the
            # account): show what was done. /signup/ itself still starts a new signup.
            return redirect("onboarding:done")
        return super().dispatch(request, *args, step=step, **kwargs)

    def get(self, request, step=None):
        """Show the requested step, or send the person to where they left off."""
        state = self.state
        if step is None:
            if not self.resumed:
                forget_handover(request.session)  # a new signup after finishing one: the done page's details go
            return self.go_to(state.resume_step())
        if state.is_ahead(step):
            return redirect(step_url(state.first_incomplete_step()))
        state.current_step = step
        funnel.reached(state.funnel_id, step, LAST)
        # After a failed final check, this step shows its answers with the reason.
        data = state.step_data(step) if state.take_recheck(step) else None
        return self.render(step, step_form(step, state, data=data))

    @sensitive_variables()
    def post(self, request, step=None):
        """Validate and store a step, go back, or create the account on the last step."""
        if step is None or request.POST.get(MANAGEMENT_FIELD) != step:
            raise BadRequest("Signup wizard management data is missing or was tampered with.")
        state = self.state
        posted_id = request.POST.get("wizard_id")
        if not self.resumed or (posted_id and posted_id != state.wizard_id):
            stale = self.stale_post(step, posted_id)
            if stale:
                return stale
        if state.is_ahead(step):
            return redirect(step_url(state.first_incomplete_step()))

        state.current_step = step
        state.start(counted=funnel.start)  # on a first answer: the funnel's "started" counts people, not visits
        timezones.remember(request, request.POST.get("time_zone"))  # from then on, times in the person's zone
        form = step_form(step, state, data=request.POST, request=request)
        refused = self.refuse_oversized(step, form)
        if refused:
            return refused
        if request.POST.get("finish_later") and step != FIRST:
            # Like Back: keep what was typed here, valid or not, then mail the link.
            state.store_form(step, form, valid=step != LAST and form.is_valid())
            return email_finish_later_link(request, state, step)
        auth = request.POST.get(AUTH_FIELD)
        if auth and step == FIRST:
            if auth not in AUTH_CHOICES:
                raise BadRequest("Unknown way to log in.")
            return switch_auth(request, state, form, auth)  # "Use a passkey instead", "Use a password instead"
        goto, language = request.POST.get("wizard_goto_step"), request.POST.get("language")
        if goto and goto not in STEPS:
            raise BadRequest("Unknown signup step.")
        if language and language not in dict(settings.LANGUAGES):
            raise BadRequest("Unknown language.")
        if goto or language or "wizard_start_over" in request.POST:
            # Back, the language switch and Start over keep what was typed here, valid or not,
            # without showing errors.
            valid = step != LAST and form.is_valid()
            state.store_form(step, form, valid=valid, password=valid and step == "account")
            if language:
                return set_language(request)  # sets the language cookie, then back to this step ("next")
            if goto:
                return self.go_to(goto)
            return redirect("onboarding:start_over")  # which asks before it clears anything

        if step == FIRST:
            refused = self.refuse_unchecked(form)
            if refused:
                return refused
        if not form.is_valid():
            funnel.step_errors(step, form)
            # An error elsewhere need not cost a good password: its hash is kept for the same username and email.
            keep = step == "account" and form.password_passed
            state.store_form(step, form, valid=False, password=keep)
            if keep:
                form.keep_password()
            return self.render(step, form)
        if step == LAST:
            finished = finish_signup(request, state, form)
            if finished.outcome == Outcome.MOVED:
                return signup_moved(request, state)
            if finished.outcome == Outcome.RECHECK:
                return redirect(step_url(finished.step))
            if finished.outcome == Outcome.ALREADY_CREATED:
                return redirect("onboarding:already_created")
            # Created, or a taken address: one answer for both, the device cookie included.
            devices.device_id(request)
            return devices.remember(request, redirect("onboarding:done"))

        state.store_form(step, form, valid=True, password=step == "account")
        funnel.step_done(state.funnel_id, step)
        if request.GET.get("return") == "confirm":
            return self.go_to(state.first_incomplete_step())
        return self.go_to(next_step(step))

    def refuse_oversized(self, step, form):
        """Our page saying why, when the answers are longer or more than the wizard keeps; else None."""
        reason = refusal(step, form, self.state)
        if reason is None:
            return None
        logger.warning("Signup POST refused: answers too long or repeated (step %s).", step)
        messages.error(self.request, reason + " " + _("Nothing you sent on this page was saved."))
        return self.render(step, step_form(step, self.state), status=400)

    def refuse_unchecked(self, form):
        """The account page again, asking for the proof-of-work, when it was needed and not sent; else None.

        Nothing typed is lost: the answers are kept (not as valid), and a good password as its hash.
        """
        why = challenge.check_account_post(self.request)
        if why is None:
            return None
        logger.warning("Signup account step refused: proof-of-work %s (ip=%s)", why, challenge.client_ip(self.request))
        valid = form.is_valid()
        keep = valid or form.password_passed
        self.state.store_form(FIRST, form, valid=False, password=keep)
        if keep:
            form.keep_password()
        # Only what was missing: the script then sends the form again by itself.
        return self.render(FIRST, form, status=400, challenge_refused=True, resubmit=valid)

    def stale_post(self, step, posted_id):
        """Answer a POST made for a wizard that is no longer the one in the session, if it needs answering."""
        if self.state.finished_here(posted_id) or was_created(posted_id):
            return redirect("onboarding:already_created")  # "Create account" pressed again after it worked
        if self.resumed or self.state.ended_here(posted_id):
            messages.warning(
                self.request, _("This signup was changed in another tab or window. Here is where it stands now.")
            )
            return redirect(step_url(self.state.resume_step()))
        if step == FIRST:
            return None  # nothing earlier could have been lost: carry on as usual
        # The session expired: keep what was typed on this step, say what happened.
        form = step_form(step, self.state, data=self.request.POST)
        if refusal(step, form, self.state) is None:
            self.state.store_form(step, form, valid=False)
        self.state.start(counted=funnel.start)
        messages.error(
            self.request,
            _(
                "Your session expired, so the answers you gave before were not kept. "
                "Please start again from the first step."
            ),
        )
        return redirect(step_url(FIRST))

    def go_to(self, step):
        """Redirect to a step, remembering it as where the person is."""
        self.state.current_step = step
        return redirect(step_url(step))

    def render(self, step, form, status=200, challenge_refused=False, resubmit=False):
        context = {"view": self, **step_page(self.state, step, form)}
        if step == FIRST:
            show = challenge_refused or challenge.should_show(self.request)
            context.update(challenge.page_context(self.request, show=show))
            context.update(challenge_refused=challenge_refused, challenge_resubmit=resubmit)
        return TemplateResponse(self.request, self.template_name, context, status=status)
