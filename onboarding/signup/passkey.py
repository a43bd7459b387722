"""Signing up with a passkey instead of a password: switching between the two, the ceremony's options, and
checking the browser's answer when the account step is sent (forms.AccountForm asks check_new_passkey).

The passkey waits in the signup's state (SignupState.passkey) like every other answer, and is written with
the account (accounts.create_account). No password is hashed on this path.
"""

import json
import logging

from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from onboarding.passkeys.ceremony import PasskeyError, begin_registration, finish_registration
from onboarding.signup.bounds import passkey_fits
from onboarding.signup.state import FIRST, SignupState, step_url

logger = logging.getLogger(__name__)

# The name of the account step's two switches: "passkey" (use one instead of a password) or "password".
AUTH_FIELD = "auth_method"
AUTH_CHOICES = ("passkey", "password")


def switch_auth(request, state, form, method):
    """Keep what was typed on the account step (like Back), switch to a passkey or a password, show the step.

    A change made from the confirm page still returns there.
    """
    state.store_form(FIRST, form, valid=False)
    state.use_passkey(method == "passkey")
    back_to_confirm = "?return=confirm" if request.GET.get("return") == "confirm" else ""
    return redirect(step_url(FIRST) + back_to_confirm)


def check_new_passkey(request, state, answer):
    """The browser's answer to the registration ceremony (JSON text) checked: a NewPasskey, or PasskeyError."""
    try:
        response = json.loads(answer)
    except ValueError:
        response = None
    new_passkey = finish_registration(request, response, user_handle=state.passkey_user_handle)
    if not passkey_fits(state, new_passkey):
        logger.warning("A passkey too big to keep in the signup's state was refused.")
        raise PasskeyError(_("This device’s passkey is too big for us to keep. Use a password instead."))
    return new_passkey


@method_decorator(never_cache, name="dispatch")
class SignupPasskeyOptionsView(View):
    """Give the browser the options of the ceremony that makes this signup's passkey (JSON)."""

    def post(self, request):
        state = SignupState(request.session)
        if request.user.is_authenticated or not state.stored or not state.uses_passkey:
            message = _("This page is out of date. Reload it, then try again.")
            return JsonResponse({"error": message}, status=409)
        username = " ".join(request.POST.get("username", "").split())[:150]
        if not username:
            return JsonResponse({"error": _("Enter a username first: your passkey is saved under it.")}, status=400)
        options = begin_registration(
            request, user_name=username, display_name=username, user_handle=state.passkey_user_handle
        )
        return JsonResponse(options)
