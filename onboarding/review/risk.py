"""How risky a new signup looks, and why: worked out once when the account is made and stored on its profile.

Each signal is a small function that says why it is one. A signup's reasons are codes (REASONS words them for
reviewers); its level follows from their weights alone, so adding a reason later (an expired confirmation
link, a bounced confirmation mail) is one update of one row. Nothing here identifies a person beyond what the
admin already shows: the client's network and browser are kept only as keyed hashes, counted in the shared
counters for two hours, never stored.
"""

import ipaddress
import re
import time
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import caches
from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from onboarding.access.domains import disposable, domain_of
from onboarding.identities import email_key
from onboarding.limits import client_ip
from onboarding.models import RISK_RANKS, EmailDomain, Profile, RiskLevel, User
from onboarding.review.devices import device_hash

# Signups from one network (an IPv4 /24, an IPv6 /64) within about an hour before the next ones are flagged.
NETWORK_WINDOW = 60 * 60
NETWORK_SIGNUPS = 5
# Signups from one browser (review/devices.py) within about an hour: a family may share one, a script makes more.
DEVICE_SIGNUPS = 3
# Reading three steps and typing a username, an address, a password twice and a name takes a person longer.
FASTEST_HUMAN_SECONDS = 20
# How many of the latest signups an address's pattern is compared with, and how many alike are suspicious.
RECENT_SIGNUPS = 50
SAME_PATTERN = 5
# Shown to reviewers in this order, with each reason's weight towards the level.
REASONS = {
    "throwaway_domain": (2, _("The email address is at a throwaway domain.")),
    "new_domain": (1, _("No earlier account had an email address at this domain.")),
    "busy_network": (2, _("Many signups came from the same network within an hour.")),
    "busy_device": (2, _("Several signups came from the same browser within an hour.")),
    "too_fast": (2, _("The signup was finished faster than a person can type it.")),
    "address_pattern": (1, _("The email address follows the same pattern as several recent signups.")),
    "challenge_needed": (1, _("The browser was asked for a proof of work: the signup looked automated.")),
    "confirmation_expired": (1, _("The link to confirm the email address expired unused.")),
    "confirmation_bounced": (2, _("The mail with the link to confirm the email address could not be delivered.")),
}
MEDIUM_SCORE = 2
HIGH_SCORE = 4


@dataclass(frozen=True)
class SignupClues:
    """What the request tells about a signup: its network's keyed hash and when its wizard started."""

    network: str = ""
    started: int | None = None
    challenged: bool = False
    device: str = ""


def clues_from(request, started):
    from onboarding.access.challenge import was_asked

    return SignupClues(
        network=network_hash(client_ip(request)),
        started=started,
        challenged=was_asked(request.session),
        device=device_hash(request),
    )


def network_hash(address):
    """The client's /24 (IPv4) or /64 (IPv6) as an HMAC keyed by SECRET_KEY: comparable, not readable."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""  # a Unix socket without a proxy header: no network to compare
    network = ipaddress.ip_network(f"{ip}/{24 if ip.version == 4 else 64}", strict=False)
    return salted_hmac("onboarding.review.risk.network", str(network)).hexdigest()[:32]


# The signals ---------------------------------------------------------------


def throwaway_domain(email):
    """A throwaway address needs no one to read it, so its owner need never come back. The account step
    refuses them, but not where the site names the domain itself, and the list grows after a signup."""
    return bool(disposable(domain_of(email)))


def new_domain(email):
    """Note the address's domain as seen; True when no account had it before (one query for a domain seen).

    A domain new here is the first of its kind: a new company, or a domain bought for a batch of fake
    accounts. One flag, not a verdict: every real domain was new once. Recorded in the account's own
    transaction, so a signup that fails leaves the domain unseen; two first signups at once may both be told
    it is new, which only flags both.
    """
    domain = domain_of(email)
    if not domain:
        return False
    # One statement that says whether it added the row (get_or_create took a read, then the insert, in a savepoint).
    connection = connections[router.db_for_write(EmailDomain)]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(EmailDomain._meta.db_table)} ({quote('domain')}, {quote('first_seen')}) "
            f"VALUES (%s, %s) ON CONFLICT ({quote('domain')}) DO NOTHING",
            [domain, connection.ops.adapt_datetimefield_value(timezone.now())],
        )
        return cursor.rowcount == 1


def busy_network(network, *, now=None):
    """Count this signup against its network; True once the network made NETWORK_SIGNUPS within about an hour.

    People share networks (an office, a campus), but a script making accounts usually runs from one. The
    count is this hour's and the last one's, so a burst across the hour is still seen.
    """
    return bool(network) and counted("network", network, now=now) >= NETWORK_SIGNUPS


def busy_device(device, *, now=None):
    """Count this signup against its browser; True once it made DEVICE_SIGNUPS within about an hour.

    A person makes one account, a family sharing a computer a few; a script that keeps its cookies makes many.
    """
    return bool(device) and counted("device", device, now=now) >= DEVICE_SIGNUPS


def counted(kind, value, *, now=None):
    """Count one more signup under `value`; the count of this hour and the last (shared counters, two hours)."""
    hour = int(now if now is not None else time.time()) // NETWORK_WINDOW
    counters = caches["ratelimit"]
    key = f"risk:{kind}:{value}:{hour}"
    try:
        count = counters.incr(key)  # the counter of a busy network or device is there already: one write
    except ValueError:
        # The first signup under it this hour; of two at once, the one that did not add it counts on.
        count = 1 if counters.add(key, 1, timeout=2 * NETWORK_WINDOW) else counters.incr(key)
    return count + (counters.get(f"risk:{kind}:{value}:{hour - 1}") or 0)


def network_signups(network, *, now=None):
    """How many signups this network made this hour and the last (what busy_network counts), without counting."""
    if not network:
        return 0
    hour = int(now if now is not None else time.time()) // NETWORK_WINDOW
    keys = [f"risk:network:{network}:{hour}", f"risk:network:{network}:{hour - 1}"]
    return sum(value or 0 for value in caches["ratelimit"].get_many(keys).values())


def too_fast(started, *, now=None):
    """A wizard finished within FASTEST_HUMAN_SECONDS of starting was filled in by a program, not typed."""
    if not started:
        return False  # a signup carried over from a "finish later" link keeps no start time
    return (now if now is not None else time.time()) - int(started) < FASTEST_HUMAN_SECONDS


def address_pattern(email, recent):
    """True when SAME_PATTERN of the `recent` addresses share this one's pattern (letters, then digits).

    Generated accounts come in series (anna4821, boris7730, ...); one person's choice rarely repeats its
    shape among the latest signups. Only shapes with digits count: names alone ("first.last") are how people
    write their addresses.
    """
    shape = local_shape(email)
    return bool(shape) and sum(local_shape(other) == shape for other in recent) >= SAME_PATTERN


def local_shape(email):
    """ "anna4821@x" -> "a9999": each run of letters as one "a", each digit a "9"; "" without two digits."""
    local = (email_key(email) or "").rpartition("@")[0]
    shape = re.sub(r"\d", "9", re.sub(r"[^\W\d_]+", "a", local))
    return shape if shape.count("9") >= 2 else ""


# Putting them together -----------------------------------------------------


def assess(*, email, clues, now=None):
    """The reason codes of a signup about to be made with this address (its own account not yet saved)."""
    recent = User.objects.order_by("-pk").values_list("email", flat=True)[:RECENT_SIGNUPS]
    found = {
        "throwaway_domain": throwaway_domain(email),
        "new_domain": new_domain(email),
        "busy_network": busy_network(clues.network, now=now),
        "busy_device": busy_device(clues.device, now=now),
        "too_fast": too_fast(clues.started, now=now),
        "address_pattern": address_pattern(email, list(recent)),
        "challenge_needed": clues.challenged,
    }
    return [code for code in REASONS if found.get(code)]


def level_of(reasons):
    score = sum(REASONS[code][0] for code in reasons if code in REASONS)
    if score >= HIGH_SCORE:
        return RiskLevel.HIGH
    return RiskLevel.MEDIUM if score >= MEDIUM_SCORE else RiskLevel.LOW


def set_reasons(profile, reasons):
    """Store the reasons on the (unsaved or saved-next) profile with the level and rank they make."""
    profile.risk_reasons = list(reasons)
    profile.risk_level = level_of(reasons)
    profile.risk_rank = RISK_RANKS[profile.risk_level]


@transaction.atomic
def add_reason(*, user_id, code):
    """Add a reason found after the signup (its confirmation link expired unused), raising the level with it."""
    profile = Profile.objects.select_for_update().filter(user_id=user_id).first()
    if profile is None or code in profile.risk_reasons:
        return False
    set_reasons(profile, [reason for reason in REASONS if reason in {*profile.risk_reasons, code}])
    profile.save(update_fields=["risk_reasons", "risk_level", "risk_rank"])
    return True


def described(reasons):
    """The reasons in words, in REASONS' order (an unknown code, from a newer version, as itself)."""
    return [REASONS[code][1] if code in REASONS else code for code in reasons]


def mark_unconfirmed(*, now=None, window=timedelta(days=7)):
    """Add "confirmation_expired" to the signups whose first confirmation link expired, unused, within `window`
    before `now`: the event that a link nobody opened never makes (run daily: mark_unconfirmed_signups).

    Returns how many signups it raised. A reason already there is left as it is.
    """
    from onboarding.links import lifetimes

    now = now or timezone.now()
    expired_before = now - timedelta(days=lifetimes()["confirm_email_days"])
    unconfirmed = User.objects.filter(
        email_verified_at__isnull=True,
        date_joined__lt=expired_before,
        date_joined__gte=expired_before - window,
        profile__isnull=False,
    )
    raised = 0
    for user_id in unconfirmed.values_list("pk", flat=True).iterator():
        raised += add_reason(user_id=user_id, code="confirmation_expired")
    return raised
