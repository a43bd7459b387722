"""Where funnel counts live: with Redis, a hash per day, rolled up into FunnelDay rows once the day is over;
without Redis, straight in FunnelDay rows, which every worker and server shares.

Counting once: a day's hash is claimed by RENAME to a key of the claimer's own before it is read, so
of several workers (or servers) rolling up at once exactly one gets each count; counts added to the day
after the claim start a new hash, rolled up the next time. A roll-up that fails puts its counts back.
"""

import datetime
import secrets

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import IntegrityError, transaction
from django.db.models import F
from redis.exceptions import ResponseError

SEPARATOR = "|"
DAYS_KEY = "funnel:days"
# A day's counters outlive the day long enough for a roll-up to find them.
KEEP_SECONDS = 40 * 24 * 3600
DIMENSIONS = ("event", "language", "field", "code")


def _redis():
    """The Redis client behind Django's RedisCache, or None for other caches."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return backend._cache.get_client(write=True)
    return None


def _day_key(day):
    return cache.make_key(f"funnel:{day.isoformat()}")


def once(key, timeout):
    """True the first time `key` is seen (within `timeout`), for every worker: Redis, else the database's table."""
    if _redis() is not None:
        return cache.add(key, 1, timeout)
    return caches["ratelimit"].add(key, 1, timeout)


def add(day, dimensions, count=1):
    """Add `count` to one counter: (event, language, field, code) on `day`."""
    add_many(day, {tuple(dimensions): count})


def add_many(day, counters):
    """Add {(event, language, field, code): count} to `day`'s counters: one Redis round trip, or one transaction."""
    client = _redis()
    if client is not None:
        key = _day_key(day)
        pipe = client.pipeline(transaction=False)
        for dimensions, count in counters.items():
            pipe.hincrby(key, SEPARATOR.join(dimensions), count)
        pipe.expire(key, KEEP_SECONDS)
        pipe.sadd(cache.make_key(DAYS_KEY), day.isoformat())
        pipe.execute()
        return
    add_to_rows(day, counters)


def add_to_rows(day, counters):
    """Add {(event, language, field, code): count} to `day`'s FunnelDay rows, with atomic increments."""
    from onboarding.models import FunnelDay

    with transaction.atomic():
        for dimensions, count in counters.items():
            match = dict(zip(DIMENSIONS, dimensions), day=day)
            if FunnelDay.objects.filter(**match).update(count=F("count") + count):
                continue
            try:
                with transaction.atomic():
                    FunnelDay.objects.create(**match, count=count)
            except IntegrityError:  # another worker made the row first
                FunnelDay.objects.filter(**match).update(count=F("count") + count)


def _parse(raw):
    return {tuple(key.decode().split(SEPARATOR)): int(value) for key, value in raw.items()}


def read(day):
    """{(event, language, field, code): count} for `day` not yet in FunnelDay rows (without Redis: the rows)."""
    client = _redis()
    if client is not None:
        return _parse(client.hgetall(_day_key(day)))
    from onboarding.models import FunnelDay

    rows = FunnelDay.objects.filter(day=day).values_list(*DIMENSIONS, "count")
    return {tuple(row[:4]): row[4] for row in rows}


def days():
    """The days with counts in Redis (none without Redis: the rows are read directly)."""
    client = _redis()
    if client is None:
        return []
    names = [name.decode() for name in client.smembers(cache.make_key(DAYS_KEY))]
    return sorted(datetime.date.fromisoformat(name) for name in names)


def claim(client, day):
    """Take `day`'s hash for this roll-up alone; the claimed key, or None when another roll-up took it."""
    client.srem(cache.make_key(DAYS_KEY), day.isoformat())  # first: a count added meanwhile adds the day again
    claimed = cache.make_key(f"funnel:rolling:{day.isoformat()}:{secrets.token_hex(8)}")
    try:
        client.rename(_day_key(day), claimed)
    except ResponseError:  # "no such key": rolled up already
        return None
    return claimed


def today():
    """The funnel's day: the site's (settings.TIME_ZONE), whatever zone the visitor's page is shown in.

    A Korean page runs in Asia/Seoul; counted in it, a signup made at 15:00 UTC would land on tomorrow.
    """
    from django.utils import timezone

    return timezone.localdate(timezone=timezone.get_default_timezone())


def roll_up_past_days():
    """Move every finished day's counters from Redis into FunnelDay rows (added to what is there), once."""

    client = _redis()
    if client is None:
        return
    current = today()
    for day in days():
        if day >= current:
            continue
        claimed = claim(client, day)
        if claimed is None:
            continue
        counters = _parse(client.hgetall(claimed))
        try:
            add_to_rows(day, counters)
        except Exception:
            # Not counted: give the counts back to the day, for the next roll-up.
            pipe = client.pipeline(transaction=False)
            for dimensions, count in counters.items():
                pipe.hincrby(_day_key(day), SEPARATOR.join(dimensions), count)
            pipe.sadd(cache.make_key(DAYS_KEY), day.isoformat())
            pipe.delete(claimed)
            pipe.execute()
            raise
        client.delete(claimed)
