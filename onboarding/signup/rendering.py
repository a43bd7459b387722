"""Step forms rendered once: a blank form is the same for everyone."""

from crispy_forms.utils import render_crispy_form
from django.core.signals import setting_changed
from django.utils.translation import get_language

_blank_forms = {}


def blank_form_html(form):
    """A step's form with nothing typed in it, rendered once per process and language.

    It is the same for everyone, and crispy takes half of a step page's time to render it.
    """
    key = (type(form), form.prefix, getattr(form, "has_password", None), get_language())
    if key not in _blank_forms:
        _blank_forms[key] = render_crispy_form(form)
    return _blank_forms[key]


def forget_blank_forms(**kwargs):
    _blank_forms.clear()  # a test changed a setting, such as the password rules the help text lists


setting_changed.connect(forget_blank_forms)
