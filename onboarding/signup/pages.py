"""Pages around the wizard: done, already created, start over."""

import time

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from onboarding.models import ReviewStatus, User
from onboarding.session_keys import RESEND_KEY, SUCCESS_KEYS, SUCCESS_UNTIL
from onboarding.signup.state import FIRST, SignupState, step_url

DONE_PAGE_SECONDS = 10 * 60


def hand_over(session, *, username, real_name, email, greeting, with_passkey=False):
    """Give the done page what it shows (the project's original contract: success_id, success_name,
    success_email), for a few minutes; `with_passkey`: the account logs in with a passkey, not a password."""
    session["success_id"] = username
    session["success_passkey"] = with_passkey
    session["success_name"] = real_name
    session["success_email"] = email
    session["success_greeting"] = greeting
    session[SUCCESS_UNTIL] = int(time.time()) + DONE_PAGE_SECONDS


def handed_over(session):
    """True while this browser holds a finished signup's details for the done page."""
    return "success_id" in session


def forget_handover(session):
    for key in (*SUCCESS_KEYS, SUCCESS_UNTIL):
        session.pop(key, None)


def entry_url(session):
    """Where a "Sign up" link takes this browser: the step GET /signup/ would send it to, so that a signup
    costs no extra round trip; /signup/ itself only when it has work to do (a new signup after finishing
    one forgets the done page's details there)."""
    state = SignupState(session)
    if state.stored:
        return step_url(state.resume_step())
    if handed_over(session):
        return reverse("onboarding:signup")
    return step_url(FIRST)


def signed_in(request):
    """Where the wizard sends someone logged in: the done page just after signing up, else the account home."""
    if handed_over(request.session):
        return redirect("onboarding:done")
    messages.info(
        request,
        _("You are logged in as %(username)s. Log out first to create another account.")
        % {"username": request.user.get_username()},
    )
    return redirect("onboarding:account")


@method_decorator(never_cache, name="dispatch")
class DoneView(TemplateView):
    """Greet the new user with the details handed over by the wizard through the session."""

    template_name = "onboarding/done.html"

    def get(self, request, *args, **kwargs):
        if request.session.get(SUCCESS_UNTIL, 0) < time.time():
            # Shown for a few minutes only (reloads included): then the next person at this browser sees
            # nothing of the last one's username, name or address.
            forget_handover(request.session)
            return redirect("onboarding:signup")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({key: self.request.session.get(key, "") for key in SUCCESS_KEYS})
        # The account as it is now: the address may have been confirmed, or the signup approved, since.
        username, user = self.request.session["success_id"], self.request.user
        if user.is_authenticated and user.get_username() == username:
            account = user  # logged in to it: the authentication middleware has just read it
        else:
            account = User.objects.with_username(username).select_related("profile").first()
        confirmed = bool(account and account.email_verified_at)
        if settings.SIGNUP_REQUIRES_APPROVAL:
            profile = getattr(account, "profile", None)
            context["awaiting_review"] = not (profile and profile.review_status == ReviewStatus.APPROVED)
        else:
            context["awaiting_review"] = False
        context["must_confirm"] = settings.SIGNUP_EMAIL_VERIFICATION == "mandatory"
        context["email_confirmed"] = confirmed
        context["confirmation_sent"] = RESEND_KEY in self.request.session and not confirmed
        return context


class AlreadyCreatedView(TemplateView):
    """Explain that this signup was already finished, for a repeated "Create account"."""

    template_name = "onboarding/already_created.html"


@method_decorator(never_cache, name="dispatch")
class StartOverView(TemplateView):
    """Ask before forgetting the wizard's answers; forget them on POST (so a prefetched link never erases them)."""

    template_name = "onboarding/start_over.html"

    def get(self, request, *args, **kwargs):
        if not SignupState(request.session).has_answers:
            return redirect("onboarding:signup")  # nothing to clear
        return super().get(request, *args, **kwargs)

    def post(self, request):
        # Nothing is stored until the next answer; a tab still showing the old signup is told it changed.
        SignupState(request.session).end()
        messages.info(request, _("Your answers have been deleted. You can start a new signup below."))
        return redirect("onboarding:signup")
