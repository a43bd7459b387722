"""A forgotten password: Django's reset views, in our look, rate-limited, telling nobody which addresses exist."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from onboarding import links
from onboarding.limits import remember_device
from onboarding.login.flow import mail_reset_link
from onboarding.login.forms import NewPasswordForm, PasswordResetRequestForm
from onboarding.login.services import reset_password
from onboarding.passkeys.views import answer_redirect, passkey_instead_of_password
from onboarding.security import events
from onboarding.verification.views import link_problem


class PasswordResetView(auth_views.PasswordResetView):
    """Take an email address and mail a reset link to the account that has it, if any; the next page is the same."""

    form_class = PasswordResetRequestForm

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        # At most one account has the address (its key is unique).
        users = form.get_users(email)
        mail_reset_link(self.request, email=email, user=users[0] if users else None)
        return redirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choose a new password from a valid link, or add a passkey instead; any other link gets our page saying
    what to do."""

    form_class = NewPasswordForm
    success_url = reverse_lazy("password_reset_complete")

    def post(self, request, *args, **kwargs):
        if "step" in request.POST:  # "Add a passkey instead": the page's script, through JSON
            return passkey_instead_of_password(request, self.user, self.passkey_added)
        return super().post(request, *args, **kwargs)

    def passkey_added(self, user):
        """The link is spent (the password hash changed); log the person in if the account may be used."""
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        if user.is_active:
            login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(self.request, _("Your passkey has been added, and you are logged in."))
            response = answer_redirect(reverse("onboarding:account"))
        else:
            messages.success(self.request, _("Your passkey has been added."))
            response = answer_redirect(reverse("login"))
        remember_device(self.request, response, user)
        return response

    def render_to_response(self, context, **response_kwargs):
        if self.validlink:
            return super().render_to_response(context, **response_kwargs)
        more = {"url": reverse("password_reset"), "label": _("Ask for a new link")}
        if self.user is None:
            return link_problem(
                self.request,
                title=_("We could not find that account"),
                message=_("The link is not complete, or the account no longer exists."),
                status=404,
                more=more,
            )
        hours = links.lifetimes()["password_reset_hours"]
        return link_problem(
            self.request,
            title=_("This link no longer works"),
            message=ngettext(
                "Links to set a new password work once, for %(hours)d hour. This one has expired, has been used, "
                "or is not complete.",
                "Links to set a new password work once, for %(hours)d hours. This one has expired, has been used, "
                "or is not complete.",
                hours,
            )
            % {"hours": hours},
            status=400,
            more=more,
        )

    def form_valid(self, form):
        reset_password(
            user=form.user, password=form.cleaned_data["new_password1"], keep_session=self.request.session.session_key
        )
        events.record(self.request, form.user, "password_reset")
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        response = redirect(self.success_url)
        # Whoever read the mail is the owner: this browser passes the username's login limit from now on.
        remember_device(self.request, response, form.user)
        return response
