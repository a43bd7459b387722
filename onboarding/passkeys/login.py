"""Logging in with a passkey: the ceremony's options for the login page, then its answer checked (JSON).

The same honest answers as the password login (login/forms.login_refusal): an account waiting for review,
not approved, or whose address must be confirmed first is told so, once the passkey proved who it is.
The limits are the password login's (limits.guard_passkey_login, in the URLconf).
"""

import json
import logging

from django.conf import settings
from django.contrib.auth import login
from django.http import JsonResponse
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from onboarding.login.forms import login_refusal, reserved_passkey_refusal
from onboarding.passkeys import ceremony, services
from onboarding.session_keys import LOGIN_SECOND_STEP
from onboarding.verification.flow import remember_confirmation

logger = logging.getLogger(__name__)

PASSKEY_FACTOR = "passkey"
# The browser's answer, as JSON: an assertion is a few hundred bytes.
ANSWER_MAX_LENGTH = 8000


@method_decorator(never_cache, name="dispatch")
class LoginOptionsView(View):
    """Give the login page a challenge for any of this site's passkeys (discoverable: no username asked)."""

    def post(self, request):
        return JsonResponse(ceremony.begin_authentication(request))


@method_decorator(never_cache, name="dispatch")
@method_decorator(sensitive_post_parameters("response"), name="dispatch")
class LoginWithPasskeyView(View):
    """Check the browser's answer; log the person in, or say why not (JSON: "redirect", or "error")."""

    def post(self, request):
        answer = request.POST.get("response", "")
        try:
            response = json.loads(answer) if len(answer) <= ANSWER_MAX_LENGTH else None
        except ValueError:
            response = None
        try:
            passkey, sign_count = ceremony.finish_authentication(request, response, find_passkey=services.find_passkey)
        except ceremony.PasskeyError as error:
            logger.info("Passkey login refused: %s", error.reason or "no reason")
            reserved = reserved_passkey_refusal(response.get("id")) if isinstance(response, dict) else None
            if reserved is not None:
                # A signup with a taken address made this passkey: answer as for its account, and "Send it
                # again" mails the address's owner the notice (as the password login does).
                refusal, owner = reserved
                if owner is not None:
                    remember_confirmation(request, owner, notice=True)
                return self.refused(refusal)
            return JsonResponse({"error": error.message}, status=400)
        user = passkey.user
        refusal = login_refusal(user)
        if refusal is not None:
            if refusal.code == "email_unconfirmed":
                remember_confirmation(request, user)  # "Send it again" on the login page mails this account
            return self.refused(refusal)
        services.record_use(passkey, sign_count)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")  # a new session key
        request.session[LOGIN_SECOND_STEP] = PASSKEY_FACTOR  # multi-factor: no code asked, the admin opens
        logger.info("Logged in with a passkey (user id=%s)", user.pk)
        return JsonResponse({"redirect": self.next_url()})

    @staticmethod
    def refused(refusal):
        """The password login's words for an account that may not log in (a ValidationError), as JSON; for an
        address to confirm, the "Send it again" form's address and words (the login page has none of its own)."""
        answer = {"error": refusal.messages[0], "code": refusal.code, "resend": None}
        if refusal.code == "email_unconfirmed":
            answer["resend"] = {
                "url": reverse("onboarding:resend_confirmation"),
                "next": reverse("login"),
                "label": _("Send it again"),
            }
        return JsonResponse(answer, status=403)

    def next_url(self):
        wanted = self.request.POST.get("next", "")
        allowed = url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        )
        return wanted if wanted and allowed else resolve_url(settings.LOGIN_REDIRECT_URL)
