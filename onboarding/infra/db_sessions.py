"""Sessions in the database (the site without Redis) at one statement per stored change.

Django's database store spends three write transactions every time a session gets a new key, which the
wizard does at each stored step and the login does once: `cycle_key` inserts a row under the new key (after
a query asking whether the key is free), reads and deletes the old row, and the end of the request updates
the new row with the session's data. Here the new key is only chosen in `cycle_key`; saving the session
renames its row and writes its data in one UPDATE. Whoever holds the old key finds nothing from then on,
as with Django's store, from the moment the request's changes are saved (a request that fails saves none,
and its browser keeps the old key). A session that did not change is not written at all, and a new one is
one INSERT.

The rows are Django's own (`django_session`), so `manage.py clearsessions`, the admin and every test that
reads `Session` work as before.
"""

import datetime
from contextlib import nullcontext

from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

# A clash of two random 32-character keys (36**32) never happens; a unique key is still what the row's
# primary key insists on, so a clash is tried again with another key, this many times.
KEY_ATTEMPTS = 5


class SessionStore(DbSessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._stored_key = None  # the key of the row holding this session, once it was read or written
        self._loaded = None  # the data as the row holds it, serialized: a save that changes nothing writes nothing

    def load(self):
        row = self._select()
        if row is None:
            self._session_key = None
            return {}
        data = self.decode(row[0])
        self._stored_key, self._loaded = self._session_key, self._serialized(data)
        return data

    def _select(self):
        """The stored data of a live session, in one query written out: the ORM's building of it cost more than
        the query (a sixth of a step page)."""
        if not self._session_key:
            return None
        using = router.db_for_read(self.model)
        connection = connections[using]
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('session_data')} FROM {quote(self.model._meta.db_table)} "
                f"WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s",
                [self._session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            return cursor.fetchone()

    def _serialized(self, data):
        return self.serializer().dumps(data)

    def _new_key(self):
        return get_random_string(32, VALID_KEY_CHARS)

    def cycle_key(self):
        """A new key for the same data, taken by the row (or a new one) when the session is saved."""
        data = self._session  # read under the old key first
        self._session_key = self._new_key()
        self._session_cache = data
        self.modified = True

    def create(self):
        self._session_key = None
        self.save(must_create=True)
        self.modified = True

    def save(self, must_create=False):
        data = self._get_session(no_load=must_create)
        if must_create or self._stored_key is None:
            return self._insert(data)
        serialized = self._serialized(data)
        cycled = self._session_key != self._stored_key
        if not cycled and serialized == self._loaded:
            return None  # nothing changed: the row stays as it is
        for _attempt in range(KEY_ATTEMPTS):
            try:
                updated = self._write(
                    "UPDATE {table} SET {session_key} = %s, {session_data} = %s, {expire_date} = %s "
                    "WHERE {session_key} = %s",
                    [self._session_key, self.encode(data), self.get_expiry_date(), self._stored_key],
                )
            except IntegrityError:  # the new key is taken: choose another
                self._session_key = self._new_key()
                continue
            break
        else:
            raise UpdateError
        if not updated:
            if not cycled:
                # Deleted while this request ran (a logout elsewhere, clearsessions): as Django's store does,
                # the request fails rather than bringing the session back.
                raise UpdateError
            # A new key for a session whose row went (expired and cleared): stored afresh, as Django's
            # cycle_key would have.
            return self._insert(data)
        self._stored_key, self._loaded = self._session_key, serialized
        return None

    def _insert(self, data):
        for _attempt in range(KEY_ATTEMPTS):
            if self._session_key is None:
                self._session_key = self._new_key()
            try:
                self._write(
                    "INSERT INTO {table} ({session_key}, {session_data}, {expire_date}) VALUES (%s, %s, %s)",
                    [self._session_key, self.encode(data), self.get_expiry_date()],
                )
            except IntegrityError:
                self._session_key = None
                continue
            self._stored_key, self._loaded = self._session_key, self._serialized(data)
            return
        raise CreateError

    def _write(self, sql, params):
        """Run one write, written out like the read, and return the rows it changed: on its own (one statement
        commits by itself) or, inside a transaction, in a savepoint, so that a failed key leaves it usable."""
        using = router.db_for_write(self.model)
        connection = connections[using]
        quote = connection.ops.quote_name
        names = {name: quote(name) for name in ("session_key", "session_data", "expire_date")}
        sql = sql.format(table=quote(self.model._meta.db_table), **names)
        adapt = connection.ops.adapt_datetimefield_value
        params = [adapt(value) if isinstance(value, datetime.datetime) else value for value in params]
        savepoint = transaction.atomic(using=using) if connection.in_atomic_block else nullcontext()
        with savepoint, connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount

    def delete(self, session_key=None):
        if session_key is None:
            if self._session_key is None:
                return
            keys = {self._session_key, self._stored_key} - {None}
            self._stored_key = self._loaded = None
        else:
            keys = {session_key}
        self.model.objects.filter(session_key__in=keys).delete()

    @classmethod
    def clear_expired(cls):
        """The expired sessions (`manage.py clearsessions`), the funnel's marks of the wizards they could hold, and
        their rows in "Where you're logged in"."""
        super().clear_expired()
        from onboarding.funnel import store
        from onboarding.security.sessions import forget_expired

        store.clear_expired_marks()
        forget_expired()
