"""Shared fixtures: wizard data, a signed-up user, a real Chromium, and the PostgreSQL/Redis rules."""

import hashlib
import os
import secrets
import shutil
import signal
from importlib import import_module
from pathlib import Path

import psycopg
import pytest
import redis
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import override_settings
from django.utils import translation

from onboarding.signup.accounts import create_account
from onboarding.signup.state import SignupState

# Playwright's sync API keeps an event loop running in the test thread; Django
# refuses database calls there unless told that this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The hour-long limit counters (per address, per account) and the funnel's counts live in Redis when REDIS_URL
# is set: each run writes under its own prefix, so no run sees what an earlier one counted. Servers the tests
# start inherit it through the environment; this process's caches get it in _redis_keys_of_this_run.
RUN_KEY_PREFIX = os.environ["REDIS_KEY_PREFIX"] = f"signup-test-{secrets.token_hex(4)}"

PASSWORD = "correct horse battery 42"
MANAGEMENT = "signup_wizard-current_step"  # the template's contract
# Where SignupState keeps the wizard in the session (formtools' layout): live sessions and saved drafts rely on it.
WIZARD_KEY = "wizard_signup_wizard"


def signup_state(client):
    """The signup in a test client's session, read through its one owner."""
    return SignupState(client.session)


def step_data(step, **fields):
    """POST data for one wizard step, the way the page sends it."""
    return {MANAGEMENT: step, **{f"{step}-{name}": value for name, value in fields.items()}}


ACCOUNT = {"username": "minji", "email": "minji@example.com", "password1": PASSWORD, "password2": PASSWORD}
PROFILE = {"real_name": "Kim Minji", "preferred_name": "Minji", "phone": "+82 10 1234 5678"}


STEPS = ("account", "profile", "confirm")


def walk_wizard(client, until="confirm", *, account=None, profile=None):
    """Open the wizard and answer each step before `until` as the page sends it; "done" presses Create account too.

    Each answer must be taken (a redirect, to the next step for the first two). Returns `client`.
    """
    answers = {"account": account or ACCOUNT, "profile": profile or PROFILE, "confirm": {"accept_terms": "on"}}
    client.get("/signup/")
    for number, step in enumerate(STEPS):
        if step == until:
            break
        response = client.post(f"/signup/{step}/", step_data(step, **answers[step]))
        assert response.status_code == 302, response.content.decode()[:2000]
        if number + 1 < len(STEPS):
            assert response["Location"] == f"/signup/{STEPS[number + 1]}/", response["Location"]
    return client


@pytest.fixture
def signup(client):
    """walk_wizard with the Django test client `client`: signup(until=None, account=None, profile=None)."""

    def walk(until=None, account=None, profile=None):
        return walk_wizard(client, until or "confirm", account=account, profile=profile)

    return walk


def expire_session(session_key):
    """End a session as a timeout would, wherever the session engine keeps it (database or Redis)."""
    from django.conf import settings  # the module's, not the pytest-django fixture of that name

    import_module(settings.SESSION_ENGINE).SessionStore(session_key).delete()


def unavailable(message):
    """Skip a test whose service is missing, except under CI=true, where every test must run."""
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def pytest_sessionstart(session):
    """Services named by DATABASE_URL and REDIS_URL must answer; if one does not, skip this run (fail it in CI)."""
    problems = []
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith(("postgres://", "postgresql://")):
        try:
            psycopg.connect(database_url, connect_timeout=3).close()
        except psycopg.Error as error:
            problems.append(f"PostgreSQL at DATABASE_URL does not answer ({error})")
    if os.environ.get("REDIS_URL"):
        try:
            redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=3, socket_timeout=3).ping()
        except redis.RedisError as error:
            problems.append(f"Redis at REDIS_URL does not answer ({error})")
    if problems:
        if os.environ.get("CI") == "true":
            pytest.exit("; ".join(problems), returncode=1)
        pytest.exit("; ".join(problems) + ". Skipped this run: start the service or unset the variable.", returncode=0)


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        unavailable("Needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test (make test does it).")
    if item.get_closest_marker("redis") and not os.environ.get("REDIS_URL"):
        unavailable("Needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0 (make test does it).")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    # A PostgreSQL test database per work tree, so that runs from several work trees can overlap;
    # one left behind by an interrupted run is replaced by the next run from the same tree.
    if connection.vendor == "postgresql":
        tree = hashlib.sha256(str(Path(__file__).resolve().parent.parent).encode()).hexdigest()[:10]
        connection.settings_dict["TEST"]["NAME"] = f"test_signup_{tree}"


@pytest.fixture(scope="session", autouse=True)
def _redis_keys_of_this_run():
    from django.conf import settings  # the module's, not the pytest-django fixture of that name

    # The settings were read before this module was imported, with the prefix the environment had then.
    caches = {
        alias: {**config, "KEY_PREFIX": RUN_KEY_PREFIX} if "KEY_PREFIX" in config else config
        for alias, config in settings.CACHES.items()
    }
    with override_settings(CACHES=caches):
        yield


@pytest.fixture(autouse=True)
def _static_files_from_the_apps(settings):
    # Hashed names need `collectstatic` first; the app server tests check them (test_production.py).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hasher(request, settings):
    # Argon2 is most of a signup's CPU, and most tests hash a password without looking at how. Tests marked
    # `argon2` (those that count hashes, read a hash's algorithm or check what a page or session holds of it)
    # keep the site's hashers; the others hash with tests.hashers.FastPasswordHasher.
    if request.node.get_closest_marker("argon2") is None:
        settings.PASSWORD_HASHERS = ["tests.hashers.FastPasswordHasher", *settings.PASSWORD_HASHERS]


@pytest.fixture(autouse=True)
def _site_language_outside_requests():
    # A test request in Korean leaves Korean active in this thread (LocaleMiddleware activates it and
    # nothing resets it); forms and messages built outside a request must start in the site's language.
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def make_user(db):
    """Make accounts through the real service (create_account): a user and profile, the address confirmed.

    make_user("minji", "minji@example.com", password=PASSWORD, real_name="Kim Minji", email_verified=True, **more)
    takes any other create_account argument; password=None makes an account nobody can log in to with a password.
    """

    def make(username="minji", email=None, *, password=PASSWORD, real_name="Kim Minji", email_verified=True, **more):
        return create_account(
            username=username,
            email=email or f"{username.lower()}@example.com",
            password_hash=make_password(password),
            real_name=real_name,
            email_verified=email_verified,
            **more,
        )

    return make


@pytest.fixture
def existing_user(make_user):
    """An account whose address is not confirmed yet (as after a signup with confirming optional)."""
    return make_user("Taken", "taken@example.com", real_name="Taken Person", email_verified=False)


@pytest.fixture
def person(client, existing_user):
    """existing_user, logged in with `client`."""
    client.force_login(existing_user)
    return existing_user


CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM}: run `apt-get install -y chromium` or set CHROMIUM_PATH."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_context(browser, live_server, settings):
    settings.SITE_URL = live_server.url  # mailed links lead back to the server the browser uses
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(browser_context):
    return browser_context.new_page()


@pytest.fixture
def sent_mail(mailoutbox, monkeypatch):
    """Run the real mail worker over the queued tasks (as `manage.py mail_worker --batch` would); return the outbox."""
    from django.core.management import call_command

    # The worker recycles connections between tasks; inside a test's transaction that would close it.
    monkeypatch.setattr("onboarding.mail.worker.close_old_connections", lambda: None)

    def deliver():
        # The worker installs its own signal handlers for a graceful stop; give the test run its own back.
        handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
        try:
            call_command("mail_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval=0", verbosity=0)
        finally:
            for number, handler in handlers.items():
                signal.signal(number, handler)
        return mailoutbox

    return deliver


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 that the site's mail goes to (as EMAIL_URL=smtp://127.0.0.1:PORT would)."""
    from tests.mailserver import SMTPServer

    server = SMTPServer().start()
    settings.EMAIL_BACKEND = "onboarding.mail.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server.stop()
