"""A forgotten password, the request-level steps: spend the address's quota, build the reset link, queue it.

The client's own limit is counted before the form is read (limits.guard_mail_requests, in the URLconf).
"""

from django.contrib.auth.hashers import make_password

from onboarding import links
from onboarding.limits import address_mail_limited
from onboarding.login.services import send_password_reset
from onboarding.models import User


def stand_in(email):
    """An unsaved user for an address without an account: what a real reset would use, minus a row."""
    return User(username=email.partition("@")[0], email=email, password=make_password(None), last_login=None)


def mail_reset_link(request, *, email, user=None):
    """Mail a reset link to `user`, the account with `email` (None: there is none). The answer is the same
    either way, and over the address's quota no mail is sent (a flood of links helps nobody)."""
    if address_mail_limited(request, group="password-reset", address=email):
        return
    # Without an account, a stand-in goes through the same token, rendering and queueing, and the worker
    # drops it: no timing tells them apart.
    target, discard = (user, False) if user is not None else (stand_in(email), True)
    send_password_reset(user=target, reset_url=links.password_reset_url(request, target), discard=discard)
