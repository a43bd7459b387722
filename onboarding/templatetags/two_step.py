"""{% two_step_status user as two_step %}: whether two-step verification is on, since when, and how many recovery
codes are left, for the account home's section."""

from django import template

from onboarding.twostep import services

register = template.Library()


@register.simple_tag
def two_step_status(user):
    device = services.device_of(user)
    if device is None:
        return {"on": False}
    return {"on": True, "since": device.created_at, "codes_left": services.recovery_codes_left(user)}
