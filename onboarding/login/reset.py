"""A forgotten password: Django's reset views, in our look, rate-limited, telling nobody which addresses exist."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_ratelimit.exceptions import Ratelimited

from onboarding.limits import address_mail_limited, client_mail_limited, remember_device
from onboarding.login.forms import NewPasswordForm, PasswordResetRequestForm
from onboarding.login.services import reset_password, send_password_reset
from onboarding.mail.queue import absolute_url
from onboarding.models import User
from onboarding.verification.views import link_problem


def reset_url(request, user):
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return absolute_url(request, reverse("password_reset_confirm", kwargs={"uidb64": uidb64, "token": token}))


def stand_in(email):
    """An unsaved user for an address without an account: what a real reset would use, minus a row."""
    return User(username=email.partition("@")[0], email=email, password=make_password(None), last_login=None)


class PasswordResetView(auth_views.PasswordResetView):
    """Take an email address and mail a reset link to the account that has it, if any; the next page is the same."""

    form_class = PasswordResetRequestForm

    def post(self, request, *args, **kwargs):
        if client_mail_limited(request, group="password-reset"):
            raise Ratelimited  # our 429 page
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        # Over the limit for this address: the same page, and no mail (a flood of links helps nobody).
        if not address_mail_limited(self.request, group="password-reset", address=email):
            # At most one account has the address (its key is unique). Without one, a stand-in goes through
            # the same token, rendering and queueing, and the worker drops it: no timing tells them apart.
            users = form.get_users(email)
            user, discard = (users[0], False) if users else (stand_in(email), True)
            send_password_reset(user=user, reset_url=reset_url(self.request, user), discard=discard)
        return redirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choose a new password from a valid link; any other link gets our page saying what to do."""

    form_class = NewPasswordForm
    success_url = reverse_lazy("password_reset_complete")

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
        return link_problem(
            self.request,
            title=_("This link no longer works"),
            message=_(
                "Links to set a new password work once, for 3 hours. This one has expired, has been used, "
                "or is not complete."
            ),
            status=400,
            more=more,
        )

    def form_valid(self, form):
        reset_password(user=form.user, password=form.cleaned_data["new_password1"])
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        response = redirect(self.success_url)
        # Whoever read the mail is the owner: this browser passes the username's login limit from now on.
        remember_device(self.request, response, form.user)
        return response
