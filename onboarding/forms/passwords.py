"""Forms for a forgotten password: ask for a reset link, then choose a new password."""

from django import forms
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from ..models import User
from .rules import PasswordRulesMixin
from .widgets import PasswordInput


class PasswordResetRequestForm(PasswordResetForm):
    """Ask for a link by email address; the page after it is the same whether or not the address has an account."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("The email address of your account. We will send a link to it."),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address in the right format, like name@example.com."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    def get_users(self, email):
        """Active accounts with this address, whatever its case, that have a password to reset."""
        users = User.objects.with_email(email).filter(is_active=True).select_related("profile")
        return [user for user in users if user.has_usable_password()]


class NewPasswordForm(PasswordRulesMixin, SetPasswordForm):
    """Choose a new password under the same rules as at signup (AUTH_PASSWORD_VALIDATORS), listed as there."""

    new_password_fields = ("new_password1", "new_password2")

    error_messages = {
        **SetPasswordForm.error_messages,
        "password_mismatch": _("The two passwords do not match. Type the same password in both fields."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].widget = PasswordInput(attrs={"autocomplete": "new-password"})
        self.fields["new_password2"].widget = PasswordInput(attrs={"autocomplete": "new-password"})
        self.fields["new_password1"].error_messages["required"] = _("Enter a password.")
        self.fields["new_password2"].error_messages["required"] = _("Type your password again to confirm it.")
        self.show_password_rules()
