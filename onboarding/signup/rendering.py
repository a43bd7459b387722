"""What a step page shows: its title, the progress, the summary on confirm, and step forms rendered once."""

from dataclasses import dataclass

from crispy_forms.utils import render_crispy_form
from django.core.signals import setting_changed
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from onboarding.signup.forms import stored_answers
from onboarding.signup.state import FIRST, LAST, MANAGEMENT_FIELD, STEPS, previous_step, step_url

STEP_TITLES = {
    "account": gettext_lazy("Account"),
    "profile": gettext_lazy("Profile"),
    "confirm": gettext_lazy("Check your answers"),
}

_blank_forms = {}


@dataclass(frozen=True)
class Steps:
    """The steps as the template reads them (the names of formtools' StepsHelper)."""

    current: str
    first: str = FIRST
    last: str = LAST
    count: int = len(STEPS)

    @property
    def step1(self):
        return STEPS.index(self.current) + 1

    @property
    def prev(self):
        return previous_step(self.current)


def step_page(state, step, form):
    """The context of a step's page for this signup (a SignupState)."""
    context = {
        "form": form,
        "wizard": {"form": form, "steps": Steps(step)},
        # The management field, written out: formtools' ManagementForm cost a tenth of a step page to render.
        "management_field": MANAGEMENT_FIELD,
        "wizard_id": state.wizard_id or "",
        "blank_form_html": None if form.is_bound or form.initial else blank_form_html(form),
        "step_title": STEP_TITLES[step],
        "has_answers": state.has_answers,
        "progress": [
            {"name": name, "title": STEP_TITLES[name], "number": number, "current": name == step}
            for number, name in enumerate(STEPS, start=1)
        ],
    }
    if step == FIRST:
        context["passkey_mode"] = state.uses_passkey  # the switch between a password and a passkey
    if step == LAST:
        context["summary"] = summary(state)
    return context


def summary(state):
    """Every answer, grouped by step, each with a link to change it."""
    account = stored_answers("account", state)
    profile = stored_answers("profile", state)
    not_given = _("Not given")

    def row(step, label, value):
        return {"label": label, "value": value, "change_url": f"{step_url(step)}?return=confirm"}

    return [
        {
            "title": STEP_TITLES["account"],
            "rows": [
                row("account", _("Username"), account.get("username", "")),
                row("account", _("Email address"), account.get("email", "")),
                (
                    row("account", _("Passkey"), _("Created (saved on your device)"))
                    if state.uses_passkey
                    else row("account", _("Password"), _("Chosen (not shown)"))
                ),
            ],
        },
        {
            "title": STEP_TITLES["profile"],
            "rows": [
                row("profile", _("Full name"), profile.get("real_name", "")),
                row("profile", _("Preferred name"), profile.get("preferred_name") or not_given),
                row("profile", _("Phone number"), profile.get("phone") or not_given),
            ],
        },
    ]


def blank_form_html(form):
    """A step's form with nothing typed in it, rendered once per process and language.

    It is the same for everyone, and crispy takes half of a step page's time to render it.
    """
    key = (type(form), form.prefix, getattr(form, "has_password", None), getattr(form, "passkey_mode", None))
    key += (get_language(),)
    if key not in _blank_forms:
        _blank_forms[key] = render_crispy_form(form)
    return _blank_forms[key]


def forget_blank_forms(**kwargs):
    _blank_forms.clear()  # a test changed a setting, such as the password rules the help text lists


setting_changed.connect(forget_blank_forms)
