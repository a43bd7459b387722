"""Rate-limit counters in the database, shared by every app server process when there is no Redis."""

import base64
import pickle

from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.utils import timezone

# Made by migration 0005 (whatever the settings), so `migrate` is the only setup step.
COUNTER_TABLE = "onboarding_ratelimit"


class CounterCache(DatabaseCache):
    """Django's database cache with an atomic incr() that keeps the counter's expiry.

    The stock incr() reads, adds and writes back, so two workers counting at once can both write
    the same number and a limit of N lets more than N through; and it writes back with the default
    timeout (5 minutes), so a counter made to last an hour ended 5 minutes after its last count.
    Here the read and the write happen in one transaction that holds the row: SELECT ... FOR UPDATE
    on PostgreSQL, and on SQLite the IMMEDIATE transactions of our settings take the write lock at
    BEGIN. Two statements, written out (the stock one took seven, with a count of the table's rows).
    """

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table, value_column, key_column = quote(self._table), quote("value"), quote("cache_key")
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        now = connection.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {value_column} FROM {table} WHERE {key_column} = %s AND {quote('expires')} > %s{lock}",
                [key, now],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(row[0].encode())) + delta
            stored = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(f"UPDATE {table} SET {value_column} = %s WHERE {key_column} = %s", [stored, key])
        return value
