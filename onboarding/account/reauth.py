"""Confirm it's you: before a change to how a person logs in, ask again for proof it is them.

Asked at most once every CONFIRM_SECONDS: a proof (a login, or this page) is remembered in the session as a
timestamp. Pages that change a way in (passwords, passkeys, two-step verification, the address) use
ConfirmItsYouRequired; the page itself takes the password, and a passkey where the person has one (a
person with passkeys and no password confirms with a passkey only).
"""

import time

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onboarding.account.forms import CurrentPasswordForm
from onboarding.session_keys import CONFIRMED_AT_KEY

CONFIRM_SECONDS = 5 * 60


def confirmed_recently(request):
    return time.time() - request.session.get(CONFIRMED_AT_KEY, 0) < CONFIRM_SECONDS


def remember_confirmed(request):
    request.session[CONFIRMED_AT_KEY] = time.time()


def confirmed_at_login(sender, request, user, **kwargs):
    """On login (user_logged_in): the person has just proved it is them."""
    if request is not None and hasattr(request, "session"):
        remember_confirmed(request)


def confirm_url(next_path):
    return f"{reverse('onboarding:confirm_its_you')}?{urlencode({'next': next_path})}"


def safe_next(request):
    """Where to go after confirming: the page that asked, if it is one of ours; else the account home."""
    next_url = request.GET.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return reverse("onboarding:account")


class ConfirmItsYouRequired:
    """A view mixin (after LoginRequiredMixin): send a person who has not confirmed lately to confirm first.

    A POST that arrives after the confirmation lapsed is not acted on; the person confirms, then comes back
    to the page (a GET) and sends it again.
    """

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not confirmed_recently(request):
            path = request.get_full_path() if request.method == "GET" else request.path
            return HttpResponseRedirect(confirm_url(path))
        return super().dispatch(request, *args, **kwargs)


class ConfirmPasswordForm(CurrentPasswordForm):
    """The password, to confirm it is them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["current_password"].label = _("Password")


CONFIRM_TITLE = gettext_lazy("Confirm it's you")
CONFIRM_INTRO = gettext_lazy(
    "To keep your account safe, confirm it's you before this change. We ask at most once every 5 minutes."
)


def confirmed_next(request):
    """The person has just confirmed it is them (a password or a passkey): remember it, say so, and return
    where to go next."""
    remember_confirmed(request)
    messages.success(request, _("Thank you. You can carry on."))
    return safe_next(request)


def confirmed_response(request):
    return HttpResponseRedirect(confirmed_next(request))
