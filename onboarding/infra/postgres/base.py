"""Django's PostgreSQL backend, except that waiting for the server's answer has a deadline on our side.

statement_timeout only helps while the server works: a server that froze (SIGSTOP, a hung disk, a
proxy that stopped passing bytes) never cancels anything, and TCP keepalives cannot tell, because the
machine's kernel still acknowledges. psycopg waits for ever then; gunicorn kills the worker at 30 s and
the person gets no answer at all. Here each wait gives up after OPTIONS["answer_timeout"] seconds
(settings: the statement timeout plus 2 s, so a slow query is still cancelled by the server first),
closes the connection, whose state is then unknown, and raises OperationalError: our 503 page.
"""

import psycopg
from django.db.backends.postgresql.base import DatabaseWrapper as PostgresDatabaseWrapper
from psycopg import errors


class DeadlineConnection(psycopg.Connection):
    answer_timeout = None  # seconds; None waits as long as it takes (e.g. seeding a million rows)

    def wait(self, gen, *args, timeout=None, **kwargs):
        if timeout is None:
            timeout = self.answer_timeout
        try:
            return super().wait(gen, *args, timeout=timeout, **kwargs)
        except errors._WaitTimeout:
            self.pgconn.finish()
            raise psycopg.OperationalError(f"the database did not answer within {timeout:g} s") from None


class DatabaseWrapper(PostgresDatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        params.pop("answer_timeout", None)
        return params

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        # Django made it with psycopg.connect(); the subclass adds one method and no state of its own,
        # so the connection becomes one in place (connecting had its own limit, connect_timeout).
        connection.__class__ = DeadlineConnection
        connection.answer_timeout = self.settings_dict["OPTIONS"].get("answer_timeout")
        return connection
