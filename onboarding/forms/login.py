"""The login form."""

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..models import Profile, ReviewStatus, User
from .widgets import PasswordInput


class LoginForm(AuthenticationForm):
    """Log in with a username in any case; a person whose signup awaits review or confirmation is told so."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The username or password is not right. Check both and try again."),
        "awaiting_review": _(
            "Your account is waiting for review. We will email you when it has been approved, and then you can log in."
        ),
        "email_unconfirmed": _(
            "Confirm your email address first: open the link in the email we sent you, then log in. "
            "No email? We can send it again."
        ),
    }

    unconfirmed_user = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].widget = PasswordInput(attrs={"autocomplete": "current-password"})

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        # SIGNUP_EMAIL_VERIFICATION=mandatory holds signups (accounts with a profile) until their address is confirmed.
        if (
            settings.SIGNUP_EMAIL_VERIFICATION == "mandatory"
            and not user.email_verified_at
            and Profile.objects.filter(user=user).exists()
        ):
            self.unconfirmed_user = user
            raise ValidationError(self.error_messages["email_unconfirmed"], code="email_unconfirmed")

    def clean(self):
        try:
            return super().clean()
        except ValidationError as error:
            if error.code == "invalid_login" and self.awaits_review():
                raise ValidationError(self.error_messages["awaiting_review"], code="awaiting_review") from None
            raise

    def awaits_review(self):
        # Only someone who knows the password learns that the account is waiting.
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        user = User.objects.with_username(username or "").select_related("profile").first()
        return bool(
            user
            and password
            and not user.is_active
            and getattr(user, "profile", None)
            and user.profile.review_status == ReviewStatus.PENDING
            and user.check_password(password)
        )
