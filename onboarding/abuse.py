"""Abuse limits: a per-IP rate limit and a honeypot on the wizard's POSTs; per-IP and per-username limits on login."""

import ipaddress
import logging
import unicodedata
from functools import wraps

from django.conf import settings
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django_ratelimit.decorators import ratelimit

logger = logging.getLogger(__name__)

# Rendered by onboarding/wizard.html outside the step forms, hidden from people:
# only a bot fills it. Never stored: the wizard stores the step form's own fields.
HONEYPOT_FIELD = "website"


def client_ip(request):
    """The address limits apply to: from the trusted proxy's header when one is configured."""
    if settings.CLIENT_IP_HEADER:
        meta_key = "HTTP_" + settings.CLIENT_IP_HEADER.upper().replace("-", "_")
        # X-Forwarded-For lists every hop; the last one is what our own proxy saw.
        forwarded = request.META.get(meta_key, "").split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass
    return request.META["REMOTE_ADDR"]


def signup_rate(group, request):
    """SIGNUP_RATE_LIMIT, or None (no limit) when it is "0"; read per request so it can be changed in tests."""
    return None if settings.SIGNUP_RATE_LIMIT == "0" else settings.SIGNUP_RATE_LIMIT


def guard_signup_post(post):
    """Wrap the wizard's post(): count it against the client's limit, then drop it if the honeypot is filled.

    Over the limit, django-ratelimit raises Ratelimited, which its middleware
    turns into our 429 page (RATELIMIT_VIEW). Every step shares one counter, so
    "Create account" is limited too.
    """

    @method_decorator(ratelimit(group="signup", key="ip", rate=signup_rate, method="POST"))
    @wraps(post)
    def guarded(view, request, *args, **kwargs):
        if request.POST.get(HONEYPOT_FIELD):
            logger.warning("Signup POST dropped: honeypot filled (ip=%s, path=%s)", client_ip(request), request.path)
            # Looks like any accepted step to the bot; nothing is stored or created.
            return redirect(request.path)
        return post(view, request, *args, **kwargs)

    return guarded


def login_rate(group, request):
    """LOGIN_RATE_LIMIT, or None (no limit) when it is "0"."""
    return None if settings.LOGIN_RATE_LIMIT == "0" else settings.LOGIN_RATE_LIMIT


def login_username(group, request):
    """The username being tried, in the form that matching ignores (case, width), so variants share a count."""
    return unicodedata.normalize("NFKC", request.POST.get("username", "")).casefold().strip()


def guard_login(view):
    """Limit a login view's POSTs per client address and per username tried, right or wrong.

    Both login pages (/login/ and /admin/login/) share the two counters. Every POST counts, so
    each costs a password hash only LOGIN_RATE_LIMIT times per period, whatever the answer.
    """
    view = ratelimit(group="login-username", key=login_username, rate=login_rate, method="POST")(view)
    return ratelimit(group="login-ip", key="ip", rate=login_rate, method="POST")(view)
