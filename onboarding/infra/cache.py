"""Rate-limit counters in the database, shared by every app server process when there is no Redis."""

from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction

# Made by migration 0005 (whatever the settings), so `migrate` is the only setup step.
COUNTER_TABLE = "onboarding_ratelimit"


class CounterCache(DatabaseCache):
    """Django's database cache with an atomic incr().

    The stock incr() reads, adds and writes back, so two workers counting at once can both write
    the same number and a limit of N lets more than N through. Here the read and the write happen in
    one transaction that holds the row: SELECT ... FOR UPDATE on PostgreSQL, and on SQLite the
    IMMEDIATE transactions of our settings take the write lock at BEGIN.
    """

    def incr(self, key, delta=1, version=None):
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        with transaction.atomic(using=db):
            if connection.features.has_select_for_update:
                table = connection.ops.quote_name(self._table)
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT cache_key FROM {table} WHERE cache_key = %s FOR UPDATE",
                        [self.make_and_validate_key(key, version=version)],
                    )
            return super().incr(key, delta, version)
