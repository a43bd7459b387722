"""The proof-of-work at the account step: bots slowed without a puzzle (SIGNUP_CHALLENGE).

A challenge is ALTCHA's (the `altcha` library, its v1 format): find the number n, at most MAX_NUMBER, for which
SHA-256(salt + n) is the challenge's hash; the salt carries its expiry and this session's binding, and the
hash is signed with a key derived from SECRET_KEY, so only we can issue one. Our own script
(static/onboarding/challenge.js, its worker challenge-worker.js) finds n in the browser with crypto.subtle in
about a second, unseen; checking it here costs one hash and one HMAC. A solution works once (spent ones are
remembered in the shared counters until they expire), in the session it was issued to, before it expires.

`auto` asks only a client that looks automated (`reasons_to_ask`); `always` asks everyone; `off` no one.
Nothing here is a cookie of its own: the binding lives in the session the wizard already has.
"""

import ipaddress
import secrets
import time
from datetime import UTC, datetime, timedelta

import altcha
from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import get_usage
from django_ratelimit.decorators import ratelimit

from onboarding.limits import client_ip, signup_rate
from onboarding.session_keys import CHALLENGE_ASKED_KEY, CHALLENGE_BINDING_KEY

# The name of the solution's hidden input in the wizard's form (outside the step form's own fields).
SOLUTION_FIELD = "challenge"
# The signed moment the account form was served, to tell answers sent faster than a person types.
SERVED_FIELD = "served"
# Half of 100,000 SHA-256 digests on average: about a second in a browser's worker, nothing for a person.
MAX_NUMBER = 100_000
# Long enough to fill in the account step slowly; a solution that expired gets a new challenge.
LIFETIME = timedelta(minutes=30)
# Typing a username, an address and a password twice takes a person longer, even with autofill.
FASTEST_ACCOUNT_SECONDS = 2
# Signup POSTs of this share of SIGNUP_RATE_LIMIT, and at least NEAR_LIMIT_POSTS of them, mean the limit is
# nearly reached (a person who mistypes twice under a strict limit is not a script).
NEAR_LIMIT = 0.75
NEAR_LIMIT_POSTS = 3
# Created signups from one network within about an hour (review/risk.py counts them).
BUSY_NETWORK_SIGNUPS = 5

REFUSAL = _(
    "Before going on, your browser does a short check that a person, not a program, is signing up. It did not "
    "finish: turn on JavaScript, or wait a moment, then press Next again. What you typed is kept."
)

_served_signer = signing.TimestampSigner(salt="onboarding.access.challenge.served")


def hmac_key():
    """The key challenges are signed with: SECRET_KEY's, for this purpose only."""
    return salted_hmac("onboarding.access.challenge", "hmac-key").hexdigest()


def binding(session):
    """This session's random binding value, made on first use."""
    value = session.get(CHALLENGE_BINDING_KEY)
    if not value:
        value = session[CHALLENGE_BINDING_KEY] = secrets.token_urlsafe(16)
    return value


def binding_digest(value):
    return salted_hmac("onboarding.access.challenge.binding", value).hexdigest()[:32]


def issue(session, *, now=None):
    """A new challenge for this session, as the page hands it to the script (ALTCHA's field names)."""
    expires = datetime.fromtimestamp(now if now is not None else time.time(), tz=UTC) + LIFETIME
    challenge = altcha.create_challenge_v1(
        algorithm="SHA-256",
        max_number=MAX_NUMBER,
        salt_length=12,
        hmac_key=hmac_key(),
        salt="",
        number=None,
        expires=expires,
        params={"b": binding_digest(binding(session))},
    )
    return challenge.to_dict()


def verify(session, payload, *, now=None):
    """Check a solution sent from this session; spend it. Returns None when good, else why not:
    "missing", "invalid" (malformed, wrong or not ours), "expired", "other_session" or "replayed"."""
    if not payload:
        return "missing"
    if len(payload) > 2000:
        return "invalid"
    try:
        solution = altcha.PayloadV1.from_base64(payload)
        valid, _error = altcha.verify_solution_v1(solution, hmac_key(), check_expires=False)
    except (ValueError, TypeError, KeyError, AttributeError):
        return "invalid"
    if not valid or solution.algorithm != "SHA-256":
        return "invalid"
    # The salt was signed with the hash: its expiry and binding are ours.
    _nonce, expires, params = solution.parse_salt()
    now = now if now is not None else time.time()
    if expires is None or expires <= now:
        return "expired"
    bound = session.get(CHALLENGE_BINDING_KEY)
    if not bound or not constant_time_compare(params.get("b", [""])[0], binding_digest(bound)):
        return "other_session"
    # The first to spend it wins, across every worker and server (the shared counters).
    if not caches["ratelimit"].add(f"challenge:spent:{solution.challenge}", 1, timeout=int(expires - now) + 1):
        return "replayed"
    return None


def served_stamp():
    """The hidden value that tells, when the form comes back, how long after it was served."""
    return _served_signer.sign("account")


def sent_too_fast(value):
    """True when the account form came back within FASTEST_ACCOUNT_SECONDS of being served, or without a stamp
    of ours (a script that never loaded the page)."""
    try:
        _served_signer.unsign(value or "", max_age=FASTEST_ACCOUNT_SECONDS)
    except signing.SignatureExpired:
        return False
    except signing.BadSignature:
        return True
    return True


# When `auto` asks ---------------------------------------------------------------------------


def counted_address(request):
    """The client's address, or None on loopback: an address of this machine is not a network of clients but
    a proxy we were not told to trust (DJANGO_TRUSTED_PROXIES), a test or a load generator, and counting it
    as one network would ask everyone behind it."""
    address = client_ip(request)
    try:
        if ipaddress.ip_address(address).is_loopback:
            return None
    except ValueError:
        return None
    return address


def near_limit(request):
    """True when this client's signup POSTs have used NEAR_LIMIT of SIGNUP_RATE_LIMIT (never when it is off)."""
    if counted_address(request) is None or signup_rate(None, request) is None:
        return False
    usage = get_usage(request, group="signup", key="ip", rate=signup_rate, method=ratelimit.UNSAFE)
    return bool(usage) and usage["count"] >= max(NEAR_LIMIT_POSTS, NEAR_LIMIT * usage["limit"])


def busy_network(request):
    """True when the client's network made BUSY_NETWORK_SIGNUPS signups within about an hour."""
    from onboarding.review.risk import network_hash, network_signups

    address = counted_address(request)
    return address is not None and network_signups(network_hash(address)) >= BUSY_NETWORK_SIGNUPS


def remember_asked(session, *reasons):
    """Note why this session was asked: later pages ask again, and the account's risk says it was needed."""
    asked = list(session.get(CHALLENGE_ASKED_KEY, []))
    new = [reason for reason in reasons if reason not in asked]
    if new:
        session[CHALLENGE_ASKED_KEY] = asked + new


def was_asked(session):
    """True when `auto` asked this session for the proof-of-work (a risk reason of the account it makes)."""
    return bool(session.get(CHALLENGE_ASKED_KEY))


def reasons_to_ask(request, *, posted):
    """Why this client looks automated (codes), in `auto`; [] when it does not.

    Asked before: the honeypot filled, or asked already in this session. Its limit nearly reached. On a POST,
    answers sent faster than a person types, from a network that made many signups: either alone is a person
    with a password manager, or a busy office, and both are what a script making accounts looks like.
    """
    reasons = list(request.session.get(CHALLENGE_ASKED_KEY, []))
    if posted and near_limit(request):
        reasons.append("near_limit")
    if posted and sent_too_fast(request.POST.get(SERVED_FIELD)) and busy_network(request):
        reasons.append("fast_from_busy_network")
    return reasons


def should_show(request):
    """Whether the account page carries a challenge for the script to solve."""
    if settings.SIGNUP_CHALLENGE == "always":
        return True
    if settings.SIGNUP_CHALLENGE == "off":
        return False
    # Asked before; or from a network that made many signups, solved unseen so that a fast answer from it
    # passes. (Nearly at its limit is judged on the POST: a read of the counters on every page is not worth it.)
    return bool(reasons_to_ask(request, posted=False)) or busy_network(request)


def check_account_post(request):
    """Check the account step's POST. None when it may go on; else why not (see `verify`)."""
    if settings.SIGNUP_CHALLENGE == "off":
        return None
    if settings.SIGNUP_CHALLENGE == "auto":
        reasons = reasons_to_ask(request, posted=True)
        if not reasons:
            return None
        remember_asked(request.session, *reasons)
    return verify(request.session, request.POST.get(SOLUTION_FIELD, "").strip())


def page_context(request, *, show):
    """What the account page needs: the stamp always, the challenge when `show`."""
    context = {"served_field": SERVED_FIELD, "served_stamp": served_stamp()}
    if show:
        context["challenge"] = issue(request.session)
        context["challenge_field"] = SOLUTION_FIELD
        context["challenge_refusal"] = REFUSAL
    return context
