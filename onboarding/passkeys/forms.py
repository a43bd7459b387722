"""The one form of the passkey pages: a passkey's name."""

from django import forms
from django.utils.translation import gettext_lazy as _


class PasskeyNameForm(forms.Form):
    """A name that helps the person tell their passkeys apart."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Only you see it. It helps you tell your passkeys apart, such as “Work laptop”."),
        error_messages={
            "required": _("Enter a name for the passkey."),
            "max_length": _("Keep the name to %(limit_value)d characters or fewer."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, user=None, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
