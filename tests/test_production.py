"""Production settings: security headers, /healthz, outages, the deploy check, Redis sessions and `make serve`."""

import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.contrib.sessions.backends.cache import KEY_PREFIX as SESSION_KEY_PREFIX
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client

from tests.conftest import PASSWORD, step_data
from tests.mailserver import SMTPServer, text_of
from tests.servers import REPO, Browser, client_address, free_port, running, wait_until_healthy

CSP = {
    "default-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
}

pytestmark = pytest.mark.django_db


def directives(header):
    return {directive.strip() for directive in header.split(";")}


def assert_security_headers(response):
    assert directives(response["Content-Security-Policy"]) == CSP
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def assert_no_inline_code(page):
    """The CSP forbids inline script and style: the templates must not need them."""
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert "<style" not in page
    assert not re.search(r"\sstyle=", page)
    assert not re.search(r"\son[a-z]+=", page)


def test_every_page_sends_the_security_headers_and_has_no_inline_code(signup, settings):
    client = signup(until="confirm")
    pages = ["/", "/login/", "/signup/account/", "/signup/profile/", "/signup/confirm/", "/no-such-page/"]
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert_security_headers(response)
        assert_no_inline_code(response.content.decode())

    done = client.post("/signup/confirm/", step_data("confirm", accept_terms="on"), follow=True)
    assert "Welcome, Minji!" in done.content.decode()
    assert_security_headers(done)
    assert_no_inline_code(done.content.decode())

    settings.SIGNUP_RATE_LIMIT = "1/h"
    limited = Client(REMOTE_ADDR=client_address(3600))
    limited.post("/signup/account/", step_data("account"))
    too_many = limited.post("/signup/account/", step_data("account"))
    assert too_many.status_code == 429
    assert_security_headers(too_many)
    assert_no_inline_code(too_many.content.decode())


def test_the_admin_login_has_no_inline_code(client):
    response = client.get("/admin/login/")
    assert_security_headers(response)
    assert_no_inline_code(response.content.decode())


# Health and outages ------------------------------------------------------------


def test_healthz_answers_200_when_database_and_cache_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]
    assert "sessionid" not in response.cookies
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_healthz_is_exempt_from_the_https_redirect(settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()  # a new client loads the middleware with the setting on
    assert client.get("/healthz").status_code == 200
    redirect = client.get("/signup/")
    assert redirect.status_code == 301
    assert redirect["Location"] == "https://testserver/signup/"


def redis_on_a_closed_port():
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }


def test_healthz_answers_503_without_details_when_the_cache_is_down(client, settings, caplog):
    settings.CACHES = redis_on_a_closed_port()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"unavailable\n"
    assert "Health check failed" in caplog.text  # the reason is in the log, not in the answer


def test_a_redis_outage_shows_our_503_page(settings):
    settings.CACHES = redis_on_a_closed_port()
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    settings.SIGNUP_RATE_LIMIT = "0"  # its counters live in the cache too; here the session is what fails
    # An answer starts the signup's session (a page view stores none), and storing it fails: our 503 page.
    response = Client(raise_request_exception=False).post("/signup/account/", step_data("account"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Sorry, the service is unavailable" in page
    assert "The answers you gave on earlier steps are kept" in page and "Carry on with your signup" in page
    assert "Connection" not in page and "6379" not in page


# Sessions in Redis -------------------------------------------------------------


@pytest.mark.argon2
@pytest.mark.redis
def test_with_redis_url_sessions_live_in_redis_and_hold_no_password(signup):
    client = signup(until="confirm")
    session_key = client.cookies["sessionid"].value
    assert Session.objects.count() == 0  # nothing in the database's session table

    key = cache.make_and_validate_key(SESSION_KEY_PREFIX + session_key)
    raw = redis.Redis.from_url(os.environ["REDIS_URL"]).get(key)
    assert raw is not None
    assert b"minji@example.com" in raw
    assert b"argon2$" in raw  # the hash, kept for "Create account"
    assert PASSWORD.encode() not in raw


# The deploy check ----------------------------------------------------------------


def manage(*args, **env):
    """Run manage.py in a fresh process with the given environment on top of a production one."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SIGNUP_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env={**base, "DJANGO_DEBUG": "0", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {"DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "DJANGO_ALLOWED_HOSTS": "signup.example.com"}


def test_the_deploy_check_is_clean_with_a_secret_key_and_allowed_hosts():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_plain_http_turns_the_https_settings_off_and_the_deploy_check_says_so():
    result = manage("check", "--deploy", **PRODUCTION, DJANGO_HTTPS="0")
    output = result.stdout + result.stderr
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in output


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DJANGO_ALLOWED_HOSTS="signup.example.com")
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr


def test_a_malformed_rate_limit_is_refused_at_start():
    result = manage("check", **PRODUCTION, SIGNUP_RATE_LIMIT="lots")
    assert result.returncode != 0
    assert 'SIGNUP_RATE_LIMIT must look like "20/m"' in result.stderr


# make serve ----------------------------------------------------------------------


def test_make_serve_runs_gunicorn_with_whitenoise_on_loopback_and_its_worker_sends_mail(tmp_path):
    port = free_port()
    smtp = SMTPServer().start()
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SIGNUP_", "GUNICORN_"))}
    env = {
        **base,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "EMAIL_URL": smtp.url,
    }
    venv = Path(sys.executable).parent.parent
    log = tmp_path / "serve.log"
    with running(["make", "--no-print-directory", "serve", f"VENV={venv}"], env=env, log_path=log) as server:
        base_url = f"http://127.0.0.1:{port}"
        wait_until_healthy(base_url, server, log)
        browser = Browser()
        page = browser.get(f"{base_url}/signup/account/")
        assert page.status == 200
        assert directives(page.headers["Content-Security-Policy"]) == CSP
        assert "Set-Cookie" in page.headers and "Secure" not in page.headers["Set-Cookie"]  # plain HTTP on loopback

        # Hashed, compressed, cached for a year.
        css = re.search(r'href="(/static/onboarding/site\.[0-9a-f]{12}\.css)"', page.text).group(1)
        static = browser.get(base_url + css, headers={"Accept-Encoding": "gzip"})
        assert static.status == 200
        assert static.headers["Content-Encoding"] == "gzip"
        assert "immutable" in static.headers["Cache-Control"]

        # The throwaway secret key works: a step is accepted and the next one shown.
        step = browser.post(
            f"{base_url}/signup/account/",
            page,
            {
                **step_data("account", username="served", email="served@example.com"),
                "account-password1": PASSWORD,
                "account-password2": PASSWORD,
            },
        )
        assert (step.status, step.headers["Location"]) == (302, "/signup/profile/")
        profile = browser.get(f"{base_url}/signup/profile/")
        assert profile.status == 200

        # The worker beside gunicorn sends the confirmation mail that "Create account" queued.
        browser.post(f"{base_url}/signup/profile/", profile, step_data("profile", real_name="Served Person"))
        confirm = browser.get(f"{base_url}/signup/confirm/")
        done = browser.post(f"{base_url}/signup/confirm/", confirm, step_data("confirm", accept_terms="on"))
        assert (done.status, done.headers["Location"]) == (302, "/signup/done/")
        deadline = time.monotonic() + 30
        while not smtp.inbox.messages and time.monotonic() < deadline:
            time.sleep(0.2)
        smtp.stop()
        [message] = smtp.inbox.messages
        assert message["To"] == "served@example.com" and "/email/confirm/" in text_of(message)

    output = log.read_text()
    assert "DJANGO_SECRET_KEY is not set: using a throwaway key" in output
    assert f"Listening at: http://127.0.0.1:{port}" in output
    assert output.count("Booting worker") == 2
    assert "Starting mail worker" in output  # the mail worker's own log line (under deploy/keep-running)
