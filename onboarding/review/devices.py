"""The browser a signup came from, for the risk signal "many signups from one device": a long-lived first-party
cookie holding a random id, set when an account is made there. Only a keyed hash of the id is counted (in the
shared counters, for two hours, as networks are); nothing about the device is stored with the account."""

import re
import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac

DEVICE_COOKIE = "signup_device"  # "__Host-signup_device" over HTTPS: this host only, Secure, path /
DEVICE_MAX_AGE = 60 * 60 * 24 * 365 * 2
_ID = re.compile(r"[A-Za-z0-9_-]{22}")


def cookie_name():
    return f"__Host-{DEVICE_COOKIE}" if settings.HTTPS else DEVICE_COOKIE


def device_id(request):
    """This browser's device id: its cookie's, or a new one (set on the response by `remember`)."""
    if not hasattr(request, "_signup_device"):
        value = request.COOKIES.get(cookie_name(), "")
        if _ID.fullmatch(value):
            request._signup_device = (value, False)
        else:
            request._signup_device = (secrets.token_urlsafe(16), True)
    return request._signup_device[0]


def device_hash(request):
    """The device as the risk counters see it: an HMAC keyed by SECRET_KEY, comparable, not readable."""
    return salted_hmac("onboarding.review.devices", device_id(request)).hexdigest()[:32]


def remember(request, response):
    """Give a browser that had no device id the one its signup was counted under."""
    value, new = getattr(request, "_signup_device", (None, False))
    if new:
        response.set_cookie(
            cookie_name(),
            value,
            max_age=DEVICE_MAX_AGE,
            secure=settings.HTTPS,
            httponly=True,
            samesite="Lax",
        )
    return response
