"""Logging in: Django's view, offering to send the confirmation again when an unconfirmed address holds the account."""

from django.contrib.auth import views as auth_views

from ..forms import LoginForm
from ..wizard.email import RESEND_KEY


class LoginView(auth_views.LoginView):
    """Display the login form and handle the login action."""

    authentication_form = LoginForm

    def form_invalid(self, form):
        if form.unconfirmed_user:
            self.request.session[RESEND_KEY] = {"user": form.unconfirmed_user.pk, "notice": False}
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context.get("form")
        context["offer_resend"] = bool(form is not None and getattr(form, "unconfirmed_user", None))
        return context
