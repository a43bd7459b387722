"""The code fields: six digits from the app, or a recovery code; pasted with spaces or dashes is fine."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from onboarding.twostep import totp


class CodeForm(forms.Form):
    """A six-digit code from the authenticator app. Whether it is right is the service's to say (it is a write:
    a code is taken once)."""

    code = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("6 digits. Spaces do not matter."),
        max_length=20,
        error_messages={"required": _("Enter the 6-digit code from your authenticator app.")},
        # No pattern or maxlength of 6: a code pasted as "123 456" must go in whole.
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
    )

    error_messages = {
        "format": _("Enter the 6 digits your authenticator app shows, like 123456."),
        "wrong": _(
            "That code is not right. Check the app shows this site and account, and type the code it shows now."
        ),
    }

    def clean_code(self):
        code = totp.plain_code(self.cleaned_data["code"])
        if not (len(code) == totp.DIGITS and code.isascii() and code.isdigit()):
            raise ValidationError(self.error_messages["format"], code="format")
        return code

    def wrong_code(self):
        self.add_error("code", ValidationError(self.error_messages["wrong"], code="wrong"))


class RecoveryCodeForm(forms.Form):
    """One of the recovery codes shown when two-step verification was turned on."""

    recovery_code = forms.CharField(
        label=_("Recovery code"),
        help_text=_("12 letters and numbers, like abcd-efgh-jkmn. Dashes and spaces do not matter."),
        max_length=40,
        error_messages={"required": _("Enter one of your recovery codes.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none", "autofocus": True}
        ),
    )

    error_messages = {
        "wrong": _("That recovery code is not right, or it was used already. Each code works once."),
    }

    def clean_recovery_code(self):
        return totp.normal_recovery_code(self.cleaned_data["recovery_code"])

    def wrong_code(self):
        self.add_error("recovery_code", ValidationError(self.error_messages["wrong"], code="wrong"))
