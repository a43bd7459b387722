"""The benchmark's counting pass: queries, stored session bytes and password hashes for each request of a signup."""

from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import get_hasher
from django.contrib.sessions.backends.cache import KEY_PREFIX as CACHE_SESSION_PREFIX
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import (
    CaptureQueriesContext,
    override_settings,
    setup_test_environment,
    teardown_test_environment,
)

from bench.signup import Response, signup_flow

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def stored_session_bytes(client):
    """Length of the session as its backend stores it: the encoded session_data, or the raw Redis value."""
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    if not cookie or not cookie.value:
        return 0
    if settings.SESSION_ENGINE in ("django.contrib.sessions.backends.db", "onboarding.infra.db_sessions"):
        stored = Session.objects.filter(session_key=cookie.value).values_list("session_data", flat=True).first()
        return len(stored or "")
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.cache":
        cache = caches[settings.SESSION_CACHE_ALIAS]
        key = cache.make_and_validate_key(CACHE_SESSION_PREFIX + cookie.value)
        return len(cache._cache.get_client(key).get(key) or b"")
    raise ValueError(f"Cannot measure sessions stored by {settings.SESSION_ENGINE}")


def count_signup(username):
    """Walk one signup with Django's test client; one row per request.

    Queries on the user table during the account POST are the username and email
    uniqueness checks, which the targets leave out; they are counted apart. So are
    BEGIN and COMMIT, which bracket the writes rather than read or write anything.
    """
    client = Client()
    hasher_class = type(get_hasher())
    user_table = f'"{get_user_model()._meta.db_table}"'
    rows = []
    flow = signup_flow(username)
    request = next(flow)
    while True:
        send = client.get if request.method == "GET" else client.post
        # A spy, not a stand-in: every call still runs the real hasher.
        with (
            CaptureQueriesContext(connection) as queries,
            mock.patch.object(hasher_class, "encode", autospec=True, side_effect=hasher_class.encode) as encode,
        ):
            response = send(request.url, request.data) if request.data else send(request.url)
        statements = [query["sql"] for query in queries.captured_queries]
        control = [sql for sql in statements if sql.startswith(TRANSACTION_CONTROL)]
        uniqueness = [
            sql
            for sql in statements
            if request.label == "account POST" and sql.startswith("SELECT") and user_table in sql
        ]
        rows.append(
            {
                "request": request.label,
                "status": response.status_code,
                "queries": len(statements) - len(control) - len(uniqueness),
                "uniqueness_checks": len(uniqueness),
                "transaction_control": len(control),
                "session_bytes": stored_session_bytes(client),
                "password_hashes": encode.call_count,
            }
        )
        try:
            request = flow.send(
                Response(response.status_code, response.get("Location", ""), response.content.decode())
            )
        except StopIteration:
            return rows


SESSION_ENGINES = {
    "db": "onboarding.infra.db_sessions",
    "redis": "django.contrib.sessions.backends.cache",
}


def redis_configured():
    return settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"


def count_in_test_database():
    """count_signup on a fresh test database, with database sessions, then Redis ones if Redis is configured."""
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        results = {}
        for name, engine in SESSION_ENGINES.items():
            if name == "redis" and not redis_configured():
                continue
            with override_settings(SESSION_ENGINE=engine):
                results[name] = count_signup(f"counted_{name}")
        return results
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
