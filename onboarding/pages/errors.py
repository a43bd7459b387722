"""Our own error pages, in both languages: 400, 403, 404, 429, 500, 503 and the CSRF failure."""

import logging
import sys

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import InterfaceError, OperationalError
from django.shortcuts import redirect, render
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from onboarding.limits import client_ip

logger = logging.getLogger(__name__)

# A database or cache that does not answer: an outage, worth a retry, not a bug.
OUTAGES = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)


def bad_request(request, exception=None):
    too_big = isinstance(exception, (RequestDataTooBig, TooManyFieldsSent))
    return render(request, "400.html", {"too_big": too_big}, status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Django calls this while handling the exception, wherever it was raised (in a
    # view or while saving the session), so sys.exc_info() tells an outage apart.
    if isinstance(sys.exc_info()[1], OUTAGES):
        return service_unavailable(request)
    return render(request, "500.html", status=500)


def csrf_failure(request, reason=""):
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    if signed_in and request.path.startswith((reverse("onboarding:signup"), reverse("login"))):
        # A form from before logging in (Back after finishing the signup, a second tab): the person is in
        # already, so show where they are rather than "out of date".
        return redirect("onboarding:done" if "success_id" in request.session else "onboarding:account")
    return render(request, "403_csrf.html", status=403)


def too_many_requests(request, exception=None):
    logger.warning("Request refused: rate limit reached (ip=%s, path=%s)", client_ip(request), request.path)
    login = request.path in (reverse("login"), reverse("admin:login"))
    account = request.path.startswith(reverse("onboarding:account"))
    account = account or request.path == reverse("admin:password_change")
    # Over the username's own limit from a browser it has not seen: say how the owner still gets in.
    username_busy = getattr(request, "login_limit", None) == "username"
    # The login's second step: a code from the app, or a recovery code (onboarding/twostep/).
    two_step = request.path in (reverse("login_code"), reverse("login_recovery_code"))
    context = {"login": login, "account": account, "username_busy": username_busy, "two_step": two_step}
    response = render(request, "429.html", context, status=429)
    response["Retry-After"] = "60"
    return response


def service_unavailable(request):
    """Our 503 page, saying what is known: an account committed before the fault exists (and its mail is queued
    with it); otherwise a write was whole or not at all, and the session, which is never emptied because its
    store failed (onboarding/sessions.py), keeps the answers of earlier steps."""
    created = getattr(request, "account_created", None)
    context = {
        "created": created
        and {
            "username": created.get_username(),
            "email": created.email,
            "confirming": not created.email_verified_at,
        },
        "admin": request.path.startswith(reverse("admin:index")),
        "signup": request.path.startswith(reverse("onboarding:signup")),
    }
    response = render(request, "503.html", context, status=503)
    response["Retry-After"] = "30"
    return response
