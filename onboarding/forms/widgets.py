"""Widgets shared by the forms."""

from django import forms
from django.utils.translation import gettext_lazy as _


class PasswordInput(forms.PasswordInput):
    """A password field that site.js gives a "Show password" button, named in the page's language."""

    def __init__(self, attrs=None, **kwargs):
        attrs = {"data-show-label": _("Show password"), "data-hide-label": _("Hide password"), **(attrs or {})}
        super().__init__(attrs, **kwargs)
