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
from django.db import connections, router, transaction
from django.utils import timezone
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


def today():
    """The funnel's day: in the site's TIME_ZONE, whoever's page counted it. A Korean page runs in Asia/Seoul
    (onboarding/timezones.py), which is the next day from 15:00 UTC: its counts would land a day apart
    from the English ones of the same moment, and past "today" on the report."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


def _day_key(day):
    return cache.make_key(f"funnel:{day.isoformat()}")


def add(day, dimensions, count=1):
    """Add `count` to one counter: (event, language, field, code) on `day`."""
    add_many(day, {tuple(dimensions): count})


def add_many(day, counters, *, once=None, timeout=None):
    """Add {(event, language, field, code): count} to `day`'s counters: one Redis round trip, or one transaction.

    With `once` (a key), only the first time that key is seen within `timeout` seconds, by any worker: a
    Redis key, else a FunnelMark row written in the same transaction as the counts. True when counted.
    """
    client = _redis()
    if client is None:
        return add_to_rows(day, counters, once=once, timeout=timeout)
    if once and not cache.add(once, 1, timeout):
        return False
    key = _day_key(day)
    pipe = client.pipeline(transaction=False)
    for dimensions, count in counters.items():
        pipe.hincrby(key, SEPARATOR.join(dimensions), count)
    pipe.expire(key, KEEP_SECONDS)
    pipe.sadd(cache.make_key(DAYS_KEY), day.isoformat())
    pipe.execute()
    return True


def add_to_rows(day, counters, *, once=None, timeout=None):
    """Add {(event, language, field, code): count} to `day`'s FunnelDay rows in one transaction; with `once`, only
    if its mark is new. True when counted.

    One INSERT ... ON CONFLICT DO UPDATE adds every count (an atomic increment, a row made when there is none),
    so counting costs the same whether the day's rows exist or not, and workers counting at once all land.
    """
    from onboarding.models import FunnelDay

    if not counters:
        return False
    db = router.db_for_write(FunnelDay)
    connection = connections[db]
    quote = connection.ops.quote_name
    table = quote(FunnelDay._meta.db_table)
    columns = ", ".join(quote(name) for name in ("day", *DIMENSIONS, "count"))
    conflict = ", ".join(quote(name) for name in ("day", *DIMENSIONS))
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(counters))
    params = []
    for dimensions, count in counters.items():
        params += [connection.ops.adapt_datefield_value(day), *dimensions, count]
    with transaction.atomic(using=db), connection.cursor() as cursor:
        if once and not _mark(cursor, connection, once, timeout):
            return False
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES {values} ON CONFLICT ({conflict}) "
            f"DO UPDATE SET {quote('count')} = {table}.{quote('count')} + excluded.{quote('count')}",
            params,
        )
    return True


def _mark(cursor, connection, key, timeout):
    """Set the mark `key` for `timeout` seconds: True if it was not set (or had expired), in one statement."""
    from onboarding.models import FunnelMark

    table = connection.ops.quote_name(FunnelMark._meta.db_table)
    key_column, expires = connection.ops.quote_name("key"), connection.ops.quote_name("expires")
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    cursor.execute(
        f"INSERT INTO {table} ({key_column}, {expires}) VALUES (%s, %s) ON CONFLICT ({key_column}) "
        f"DO UPDATE SET {expires} = excluded.{expires} WHERE {table}.{expires} <= %s",
        [key, adapt(now + datetime.timedelta(seconds=timeout)), adapt(now)],
    )
    return cursor.rowcount == 1


def clear_expired_marks():
    """Delete the FunnelMark rows past their time (`clearsessions` calls it, with the expired sessions)."""
    from onboarding.models import FunnelMark

    FunnelMark.objects.filter(expires__lte=timezone.now()).delete()


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
