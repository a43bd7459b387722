"""Abuse limits: a per-IP limit and a honeypot on the wizard's POSTs, limits on login and on mail people ask for.

Applied two ways, each one way only. Limits on requests (the wizard's POSTs, logging in, checking the current
password, asking for a reset link, setting a new password) are the `guard_*` decorators, wrapped around the
views in the URLconfs, so that every limited path can be read in urls.py; over them a request gets our 429 page
(RATELIMIT_VIEW). The quota of mail to one address is spent by the one function that sends each kind of mail
(`mail_limited`, in the flow modules); over it the person reads MAIL_REFUSAL, or, where the answer must not
tell whether an address has an account, the same page with no mail sent.
"""

import ipaddress
import logging
from functools import wraps

from django.conf import settings
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from onboarding.identities import email_key, login_name_key

logger = logging.getLogger(__name__)

# What someone who asked for too many mails reads (a flash message): the same words for every kind of mail.
MAIL_REFUSAL = _("We have sent several emails already. Wait a few minutes before asking for another one.")

# Rendered by onboarding/wizard.html outside the step forms, hidden from people:
# only a bot fills it. Never stored: the wizard stores the step form's own fields.
HONEYPOT_FIELD = "website"


def plain_address(value):
    """An address as text, IPv4-mapped IPv6 (::ffff:a.b.c.d, a dual-stack bind) read as the IPv4 it is.

    Without this every IPv4 client of a dual-stack server would fall in one IPv6 /64 and share one counter.
    Raises ValueError for something that is not an address.
    """
    address = ipaddress.ip_address(value.strip())
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


def trusted_proxy(address):
    return any(ipaddress.ip_address(address) in network for network in settings.TRUSTED_PROXIES)


def client_ip(request):
    """The address limits apply to: the peer, or, when the peer is one of DJANGO_TRUSTED_PROXIES, the address
    its DJANGO_CLIENT_IP_HEADER names (a client that reaches us directly cannot choose its own address)."""
    raw = request.META.get("REMOTE_ADDR", "")
    try:
        peer = plain_address(raw)
    except ValueError:
        return raw  # a Unix socket with no proxy header: django-ratelimit says so plainly
    if not (settings.CLIENT_IP_HEADER and trusted_proxy(peer)):
        return peer
    meta_key = "HTTP_" + settings.CLIENT_IP_HEADER.upper().replace("-", "_")
    # X-Forwarded-For lists every hop; from the right, the first hop that is not one of our proxies is the client.
    for hop in reversed(request.META.get(meta_key, "").split(",")):
        try:
            address = plain_address(hop)
        except ValueError:
            return peer  # a header our proxy would not write: believe only the peer
        if not trusted_proxy(address):
            return address
    return peer


def signup_rate(group, request):
    """SIGNUP_RATE_LIMIT, or None (no limit) when it is "0"; read per request so it can be changed in tests."""
    return None if settings.SIGNUP_RATE_LIMIT == "0" else settings.SIGNUP_RATE_LIMIT


def guard_signup(view):
    """Limit the wizard's POSTs: count each against the client's limit, then drop it if the honeypot is filled.

    Over the limit, django-ratelimit raises Ratelimited, which its middleware
    turns into our 429 page (RATELIMIT_VIEW). Every step shares one counter, so
    "Create account" is limited too.
    """

    @ratelimit(group="signup", key="ip", rate=signup_rate, method=ratelimit.UNSAFE)
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if request.method == "POST" and request.POST.get(HONEYPOT_FIELD):
            logger.warning("Signup POST dropped: honeypot filled (ip=%s, path=%s)", client_ip(request), request.path)
            from onboarding.access.challenge import remember_asked

            remember_asked(request.session, "honeypot")  # SIGNUP_CHALLENGE=auto asks this browser from now on
            # Looks like any accepted step to the bot; nothing is stored, created or started.
            return redirect(request.path)
        return view(request, *args, **kwargs)

    return guarded


def login_rate(group, request):
    """LOGIN_RATE_LIMIT, or None (no limit) when it is "0"."""
    return None if settings.LOGIN_RATE_LIMIT == "0" else settings.LOGIN_RATE_LIMIT


def login_username_rate(group, request):
    """LOGIN_USERNAME_RATE_LIMIT, or None (no limit) when it, or LOGIN_RATE_LIMIT, is "0"."""
    if "0" in (settings.LOGIN_RATE_LIMIT, settings.LOGIN_USERNAME_RATE_LIMIT):
        return None
    return settings.LOGIN_USERNAME_RATE_LIMIT


def login_username(group, request):
    """The account being tried, so its username and its email address (in any case or width) share one count.

    A name that matches no account counts under the form that matching ignores. Looked up once per request.
    """
    if not hasattr(request, "_login_key"):
        from onboarding.models import User

        identifier = request.POST.get("username", "").strip()
        user = User.objects.for_login(identifier) if identifier else None
        request._login_key = login_account_key(user) if user else login_name_key(identifier)
    return request._login_key


def login_account_key(user):
    """How the login limits and the known-device cookie name an account: by id, never by name or address."""
    return f"user:{user.pk}"


def client_network(request):
    """The client's address as django-ratelimit counts it (an IPv6 client by its /64)."""
    address = client_ip(request)
    return str(ipaddress.ip_network(f"{address}/{64 if ':' in address else 32}", strict=False).network_address)


def username_and_client(group, request):
    return f"{login_username(group, request)}\n{client_network(request)}"


# A browser that has logged in to an account before carries this signed cookie (the accounts' keys),
# after OWASP's "device cookies": guesses from elsewhere cannot lock the owner out of a browser they use.
KNOWN_DEVICE_COOKIE = "known_device"  # "__Host-known_device" over HTTPS: this host only, Secure, path /
KNOWN_DEVICE_SALT = "onboarding.known-device"
KNOWN_DEVICE_MAX_AGE = 60 * 60 * 24 * 365
KNOWN_DEVICE_ACCOUNTS = 5  # a shared computer remembers the last few accounts, not every one


def known_device_cookie():
    return f"__Host-{KNOWN_DEVICE_COOKIE}" if settings.HTTPS else KNOWN_DEVICE_COOKIE


def known_usernames(request):
    value = request.get_signed_cookie(
        known_device_cookie(), default="", salt=KNOWN_DEVICE_SALT, max_age=KNOWN_DEVICE_MAX_AGE
    )
    return [key for key in value.split("\n") if key]


def remember_device(request, response, user):
    """Mark this browser as one `user` logged in from (or set a new password from)."""
    key = login_account_key(user)
    keys = [key, *(known for known in known_usernames(request) if known != key)][:KNOWN_DEVICE_ACCOUNTS]
    response.set_signed_cookie(
        known_device_cookie(),
        "\n".join(keys),
        salt=KNOWN_DEVICE_SALT,
        max_age=KNOWN_DEVICE_MAX_AGE,
        secure=settings.HTTPS,
        httponly=True,
        samesite="Lax",
    )


def login_limited(request):
    """Count a login POST; the name of the limit it is over, or None.

    Every POST counts, right or wrong, so each costs a password hash only so often. Per client and per
    (username, client): strict, at LOGIN_RATE_LIMIT. Per username from anywhere: the higher
    LOGIN_USERNAME_RATE_LIMIT, counting only POSTs the client limits let through, and passed by a browser
    that has logged in to that account before, so that guessing from elsewhere cannot lock the owner out.
    """
    per_client = is_ratelimited(request, group="login-ip", key="ip", rate=login_rate, increment=True)
    per_pair = is_ratelimited(request, group="login-pair", key=username_and_client, rate=login_rate, increment=True)
    if per_client or per_pair:
        return "client"  # not counted for the username: one client adds at most LOGIN_RATE_LIMIT to it
    per_username = is_ratelimited(
        request, group="login-username", key=login_username, rate=login_username_rate, increment=True
    )
    if per_username and login_username(None, request) not in known_usernames(request):
        return "username"
    return None


def guard_login(view):
    """Limit a login view's POSTs (see login_limited); both login pages (/login/ and /admin/login/) share the
    counters. A successful login marks the browser as known to that account."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        request.login_limit = login_limited(request)
        if request.login_limit:
            logger.warning("Login refused: over the %s limit (ip=%s)", request.login_limit, client_ip(request))
            raise Ratelimited
        response = view(request, *args, **kwargs)
        if request.user.is_authenticated and response.status_code == 302:
            remember_device(request, response, request.user)
        return response

    return guarded


def two_step_account(group, request):
    """The account a two-step code is for: the one waiting for its second step in this session, or the one
    logged in (turning two-step verification on); keyed as the login limits and the known-device cookie key it."""
    from onboarding.session_keys import TWO_STEP_LOGIN

    waiting = request.session.get(TWO_STEP_LOGIN)
    if waiting:
        return f"user:{waiting['user']}"
    return login_account_key(request.user) if request.user.is_authenticated else ""


def two_step_limited(request):
    """Count a POST of a two-step code (or a recovery code); the name of the limit it is over, or None.

    As login_limited, for codes instead of passwords: per client and per (account, client) at LOGIN_RATE_LIMIT,
    per account from anywhere at LOGIN_USERNAME_RATE_LIMIT unless this browser logged in to it before. Six
    digits fall to guessing at the speed a server answers, so the account's own count matters most here.
    """
    account = two_step_account(None, request)
    per_client = is_ratelimited(request, group="two-step-ip", key="ip", rate=login_rate, increment=True)
    per_pair = is_ratelimited(
        request,
        group="two-step-pair",
        key=lambda group, request: f"{account}\n{client_network(request)}",
        rate=login_rate,
        increment=True,
    )
    if per_client or per_pair:
        return "client"
    per_account = is_ratelimited(
        request, group="two-step-account", key=lambda group, request: account, rate=login_username_rate, increment=True
    )
    if per_account and account not in known_usernames(request):
        return "username"
    return None


def guard_two_step(view):
    """Limit the POSTs that check a two-step code (see two_step_limited), with our 429 page. A POST with no
    account behind it (no login waiting, nobody logged in) checks nothing and is not counted. A login that
    passes its second step marks the browser as known to that account, as a password login does."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if request.method != "POST" or not two_step_account(None, request):
            return view(request, *args, **kwargs)
        request.login_limit = two_step_limited(request)
        if request.login_limit:
            logger.warning("Two-step code refused: over the %s limit (ip=%s)", request.login_limit, client_ip(request))
            raise Ratelimited
        was_logged_in = request.user.is_authenticated
        response = view(request, *args, **kwargs)
        if not was_logged_in and request.user.is_authenticated and response.status_code == 302:
            remember_device(request, response, request.user)
        return response

    return guarded


def guard_passkey_login(view, *, group="login-ip"):
    """Limit a passkey login's POSTs per client at LOGIN_RATE_LIMIT: checking an answer on the password login's
    own per-client counter (a passkey login names no account, so only the client is counted); asking for a
    challenge (group "passkey-options-ip", which the login page does once on opening, for autofill) on its own.
    A successful login marks the browser as known to that account, as guard_login does."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        if is_ratelimited(request, group=group, key="ip", rate=login_rate, increment=True):
            logger.warning("Passkey login refused: over the client limit (ip=%s)", client_ip(request))
            raise Ratelimited
        was_authenticated = request.user.is_authenticated
        response = view(request, *args, **kwargs)
        if request.user.is_authenticated and not was_authenticated and response.status_code == 200:
            remember_device(request, response, request.user)
        return response

    return guarded


def account_key(group, request):
    # The account, not only its id: an id is reused once an account is deleted.
    if not request.user.is_authenticated:
        return "anonymous"  # the view sends them to log in; nothing is checked
    return f"{request.user.pk}:{request.user.date_joined.timestamp()}"


def guard_password_check(view):
    """Limit POSTs that check the current password (account changes) per account and per client, as login is.

    Without it, a stolen session could guess the password at the speed of the server's hashing. A visitor
    who is not logged in is sent to log in by the view and checks nothing, so is not counted.
    """

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if request.method in ratelimit.UNSAFE and request.user.is_authenticated:
            per_client = is_ratelimited(request, group="password-check-ip", key="ip", rate=login_rate, increment=True)
            per_account = is_ratelimited(
                request, group="password-check-user", key=account_key, rate=login_rate, increment=True
            )
            if per_client or per_account:
                logger.warning("Password check refused: over the limit (ip=%s)", client_ip(request))
                raise Ratelimited
        return view(request, *args, **kwargs)

    return guarded


def guard_new_password(view):
    """Limit the POSTs that choose a new password from a reset link, per client, at LOGIN_RATE_LIMIT.

    Each runs the password rules (a strength estimate) and a good one the password hash: a link held open
    must not let one client spend the server's CPU at will.
    """
    return ratelimit(group="password-set-ip", key="ip", rate=login_rate, method=ratelimit.UNSAFE)(view)


def guard_mail_requests(group):
    """Limit the POSTs that ask for mail (`group`) per client, before the form is read, with our 429 page.

    For a form whose answer must look the same whatever the address (a password reset): the per-address
    quota is then spent by the flow that sends the mail (address_mail_limited), silently.
    """

    def decorate(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if request.method in ratelimit.UNSAFE and client_mail_limited(request, group=group):
                raise Ratelimited
            return view(request, *args, **kwargs)

        return guarded

    return decorate


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
        # The identities module's key (NFKC, casefold, IDNA domain): the one accounts are found by, so
        # name@ｅxample.com and name@example.com share one quota.
        key=lambda group, request: email_key(address.strip()) or "",
        rate=mail_rate("EMAIL_RATE_LIMIT_PER_ADDRESS"),
        increment=True,
    )
    if limited:
        logger.warning("Mail request refused: address over its limit (%s, ip=%s)", group, client_ip(request))
    return limited


def mail_limited(request, *, group, address):
    """Count a request for mail against this client and this address; True when either is over its limit.

    Called by the one function that sends each kind of mail, never by a view. Both counters always advance,
    so asking for one address from many clients, or for many addresses from one client, is slowed alike.
    """
    per_client = client_mail_limited(request, group=group)
    per_address = address_mail_limited(request, group=group, address=address)
    return per_client or per_address
