"""Abuse limits: a per-IP limit and a honeypot on the wizard's POSTs, limits on login and on mail people ask for."""

import ipaddress
import logging
import unicodedata
from functools import wraps

from django.conf import settings
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django_ratelimit.core import is_ratelimited
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
    """The account being tried, so its username and its email address (in any case or width) share one count.

    A name that matches no account counts under the form that matching ignores.
    """
    from .models import User

    identifier = request.POST.get("username", "")
    user = User.objects.for_login(identifier.strip()) if identifier else None
    return f"user:{user.pk}" if user else unicodedata.normalize("NFKC", identifier).casefold().strip()


def guard_login(view):
    """Limit a login view's POSTs per client address and per username tried, right or wrong.

    Both login pages (/login/ and /admin/login/) share the two counters. Every POST counts, so
    each costs a password hash only LOGIN_RATE_LIMIT times per period, whatever the answer.
    """
    view = ratelimit(group="login-username", key=login_username, rate=login_rate, method="POST")(view)
    return ratelimit(group="login-ip", key="ip", rate=login_rate, method="POST")(view)


def account_key(group, request):
    # The account, not only its id: an id is reused once an account is deleted.
    return f"{request.user.pk}:{request.user.date_joined.timestamp()}"


def guard_password_check(view):
    """Limit POSTs that check the current password (account changes) per account and per client, as login is.

    Without it, a stolen session could guess the password at the speed of the server's hashing.
    """
    view = ratelimit(group="password-check-user", key=account_key, rate=login_rate, method="POST")(view)
    return ratelimit(group="password-check-ip", key="ip", rate=login_rate, method="POST")(view)


def mail_rate(setting):
    value = getattr(settings, setting)
    return None if value == "0" else value


def client_mail_limited(request, *, group):
    """Count a request for mail against this client; True when it is over EMAIL_RATE_LIMIT_PER_CLIENT."""
    limited = is_ratelimited(
        request, group=f"{group}:client", key="ip", rate=mail_rate("EMAIL_RATE_LIMIT_PER_CLIENT"), increment=True
    )
    if limited:
        logger.warning("Mail request refused: client over its limit (%s, ip=%s)", group, client_ip(request))
    return limited


def address_mail_limited(request, *, group, address):
    """Count a request for mail to this address; True when it is over EMAIL_RATE_LIMIT_PER_ADDRESS."""
    limited = is_ratelimited(
        request,
        group=f"{group}:address",
        key=lambda group, request: address.strip().lower(),
        rate=mail_rate("EMAIL_RATE_LIMIT_PER_ADDRESS"),
        increment=True,
    )
    if limited:
        logger.warning("Mail request refused: address over its limit (%s, ip=%s)", group, client_ip(request))
    return limited


def mail_limited(request, *, group, address):
    """Count a request for mail against this client and this address; True when either is over its limit.

    Both counters always advance, so asking for one address from many clients, or for many
    addresses from one client, is slowed alike.
    """
    per_client = client_mail_limited(request, group=group)
    per_address = address_mail_limited(request, group=group, address=address)
    return per_client or per_address
