"""Human names for what the funnel counts by: a step's field ("account-password1") and an error code."""

from django.utils.translation import gettext_lazy as _

# What each error code means to a reviewer; an unknown code shows as itself.
ERROR_CODES = {
    "required": _("Left empty"),
    "invalid": _("Not in the right format"),
    "max_length": _("Too long"),
    "username_taken": _("Username already taken"),
    "email_taken": _("Email address already has an account"),
    "reserved": _("Username kept for the site"),
    "invisible": _("Spaces or invisible characters"),
    "confusable": _("Look-alike letters from different alphabets"),
    "email_domain": _("Domain without a dot"),
    "email_disposable": _("Throwaway email domain"),
    "email_blocked": _("Blocked email domain"),
    "email_not_allowed": _("Email domain not among those allowed"),
    "password_rules": _("Password rules not met"),
    "password_mismatch": _("The two passwords differ"),
    "recheck": _("Password asked again after a change of username or email"),
    "invalid_phone": _("Phone number in the wrong format"),
    "short_phone": _("Phone number too short"),
}


def field_name(field):
    """ "account-password1" -> "Account: Password" (the step's title and the field's own label)."""
    from onboarding.signup.forms import AccountForm, ConfirmForm, ProfileForm
    from onboarding.signup.rendering import STEP_TITLES

    step, _dash, name = field.partition("-")
    form = {"account": AccountForm, "profile": ProfileForm, "confirm": ConfirmForm}.get(step)
    if form is None:
        return field
    label = form.base_fields[name].label if name in form.base_fields else _("the whole step")
    return f"{STEP_TITLES[step]}: {label}"


def error_name(code):
    return ERROR_CODES.get(code, code)
