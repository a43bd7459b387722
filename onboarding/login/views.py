"""Logging in: Django's view, offering to send the confirmation again when an unconfirmed address holds the account."""

from django.contrib.auth import views as auth_views

from onboarding.login.forms import LoginForm
from onboarding.session_keys import LOGIN_SECOND_STEP
from onboarding.twostep.views import SecondStepLogin
from onboarding.verification.flow import remember_confirmation


class LoginView(SecondStepLogin, auth_views.LoginView):
    """Display the login form and handle the login action (with two-step verification on, a code comes next)."""

    authentication_form = LoginForm

    def form_valid(self, form):
        response = super().form_valid(form)
        # A password login, though this session logged in with a passkey or a code before (as the same
        # account): it is not multi-factor (unless its own second step, which comes after this, says so).
        self.request.session.pop(LOGIN_SECOND_STEP, None)
        return response

    def form_invalid(self, form):
        if form.unconfirmed_user:
            remember_confirmation(self.request, form.unconfirmed_user)
        elif form.reserved_owner:
            # "Send it again" mails the address's owner the "someone tried to sign up" notice again: the same
            # work and the same per-address limit as a real confirmation to that address, so neither the time
            # nor the limit's answer differs, and the owner (not the prober) reads what happened.
            remember_confirmation(self.request, form.reserved_owner, notice=True)
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context.get("form")
        context["offer_resend"] = bool(
            form is not None
            and (getattr(form, "unconfirmed_user", None) or getattr(form, "reserved_owner", None) is not None)
        )
        return context
