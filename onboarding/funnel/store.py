"""Where funnel counts live: a hash per day in the cache, then FunnelDay rows once the day is over."""

import datetime
import threading

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

SEPARATOR = "|"
DAYS_KEY = "funnel:days"
# A day's counters outlive the day long enough for a roll-up to find them.
KEEP_SECONDS = 40 * 24 * 3600
_lock = threading.Lock()


def _redis():
    """The Redis client behind Django's RedisCache, or None for other caches."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return backend._cache.get_client(write=True)
    return None


def _day_key(day):
    return cache.make_key(f"funnel:{day.isoformat()}")


def add(day, dimensions, count=1):
    """Add `count` to one counter: (event, language, field, code) on `day`. Cache only, no database."""
    field = SEPARATOR.join(dimensions)
    client = _redis()
    if client is not None:
        key = _day_key(day)
        pipe = client.pipeline(transaction=False)
        pipe.hincrby(key, field, count)
        pipe.expire(key, KEEP_SECONDS)
        pipe.sadd(cache.make_key(DAYS_KEY), day.isoformat())
        pipe.execute()
        return
    # Another cache (memory, for one process): a dict per day, changed under a lock.
    with _lock:
        counters = cache.get(f"funnel:{day.isoformat()}", {})
        counters[field] = counters.get(field, 0) + count
        cache.set(f"funnel:{day.isoformat()}", counters, KEEP_SECONDS)
        days = cache.get(DAYS_KEY, set())
        cache.set(DAYS_KEY, days | {day.isoformat()}, KEEP_SECONDS)


def read(day):
    """{(event, language, field, code): count} for `day` as the cache has it."""
    client = _redis()
    if client is not None:
        raw = {key.decode(): int(value) for key, value in client.hgetall(_day_key(day)).items()}
    else:
        raw = cache.get(f"funnel:{day.isoformat()}", {})
    return {tuple(key.split(SEPARATOR)): value for key, value in raw.items()}


def days():
    client = _redis()
    if client is not None:
        names = [name.decode() for name in client.smembers(cache.make_key(DAYS_KEY))]
    else:
        names = cache.get(DAYS_KEY, set())
    return sorted(datetime.date.fromisoformat(name) for name in names)


def forget(day):
    client = _redis()
    if client is not None:
        client.delete(_day_key(day))
        client.srem(cache.make_key(DAYS_KEY), day.isoformat())
        return
    with _lock:
        cache.delete(f"funnel:{day.isoformat()}")
        cache.set(DAYS_KEY, cache.get(DAYS_KEY, set()) - {day.isoformat()}, KEEP_SECONDS)


def roll_up_past_days():
    """Move every finished day's counters from the cache into FunnelDay rows (added to what is there)."""
    from ..models import FunnelDay

    today = timezone.localdate()
    for day in days():
        if day >= today:
            continue
        counters = read(day)
        with transaction.atomic():
            for (event, language, field, code), count in counters.items():
                row, made = FunnelDay.objects.get_or_create(
                    day=day, event=event, language=language, field=field, code=code, defaults={"count": count}
                )
                if not made:
                    FunnelDay.objects.filter(pk=row.pk).update(count=F("count") + count)
        forget(day)
