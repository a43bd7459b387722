"""SIGNUP_STAFF_REQUIRE_2FA: staff reach the admin only from a session that logged in with a second factor.

A staff account with no second factor at all (no two-step verification, no passkey) is sent to turn two-step
verification on before any admin page opens; one that has a factor but logged in here with its password
alone logs in again, with the factor.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from onboarding.twostep import flow, services


def has_second_factor(user):
    return services.has_two_step(user) or user.passkeys.exists()


class StaffSecondFactor:
    """Middleware: before any admin page (but its login and logout), a staff session must have passed a second
    factor (twostep.flow.passed_second_step)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SIGNUP_STAFF_REQUIRE_2FA and self.guarded(request) and not flow.passed_second_step(request):
            return self.refuse(request)
        return self.get_response(request)

    @staticmethod
    def guarded(request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not (user.is_staff or user.is_superuser):
            return False
        admin = reverse("admin:index")
        open_paths = (reverse("admin:login"), reverse("admin:logout"))
        return request.path.startswith(admin) and request.path not in open_paths

    @staticmethod
    def refuse(request):
        user = request.user
        if not has_second_factor(user):
            messages.warning(
                request,
                _(
                    "Staff accounts need a second step to open the admin. Turn on two-step verification "
                    "(or add a passkey), then go back to the admin."
                ),
            )
            return redirect("onboarding:two_step_turn_on")
        logout(request)
        messages.warning(request, _("To open the admin, log in again with your two-step code or your passkey."))
        return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
