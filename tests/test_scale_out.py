"""Two app servers sharing PostgreSQL and Redis: one signup alternates between them, and they share one rate limit."""

import os
import secrets
import subprocess
import sys
import urllib.parse
from contextlib import ExitStack

import psycopg
import pytest

from tests.conftest import ACCOUNT, PROFILE, step_data
from tests.servers import REPO, Browser, client_address, free_port, log_tail, running, wait_until_healthy

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

RATE_LIMIT = 6  # POSTs per hour per client address, on both servers together


@pytest.fixture
def scale_out_database():
    """A database of this test's own next to DATABASE_URL's, dropped afterwards."""
    admin_url = os.environ["DATABASE_URL"]
    name = f"signup_scaleout_{secrets.token_hex(6)}"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    url = urllib.parse.urlsplit(admin_url)._replace(path=f"/{name}").geturl()
    try:
        yield url
    finally:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_a_signup_alternating_between_two_app_servers_completes(scale_out_database, tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SIGNUP_", "GUNICORN_"))},
        "DATABASE_URL": scale_out_database,
        "REDIS_URL": os.environ["REDIS_URL"],
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),  # the same on both servers, as in production
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "DJANGO_CLIENT_IP_HEADER": "X-Forwarded-For",
        "DJANGO_TRUSTED_PROXIES": "127.0.0.1",
        "SIGNUP_RATE_LIMIT": f"{RATE_LIMIT}/h",
        # The limit alone: near it, SIGNUP_CHALLENGE=auto would ask for the proof-of-work (tests/test_challenge.py).
        "SIGNUP_CHALLENGE": "off",
        "WEB_CONCURRENCY": "1",
    }
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        result = subprocess.run(
            [sys.executable, "manage.py", *command], cwd=REPO, env=env, capture_output=True, text=True, timeout=180
        )
        assert result.returncode == 0, result.stdout + result.stderr

    ports = [free_port(), free_port()]
    with ExitStack() as stack:
        servers = []
        for number, port in enumerate(ports):
            log = tmp_path / f"server{number}.log"
            gunicorn = [sys.executable, "-m", "gunicorn", "--config", "config/gunicorn.conf.py", "config.wsgi"]
            server_env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
            process = stack.enter_context(running(gunicorn, env=server_env, log_path=log))
            servers.append((f"http://127.0.0.1:{port}", process, log))
        for base_url, process, log in servers:
            wait_until_healthy(base_url, process, log)
        a, b = (base_url for base_url, _, _ in servers)

        # Every request goes to the other server than the one before; as a person behind a proxy at one address.
        address = client_address(3600)
        person = Browser(forwarded_for=address)
        assert person.get(f"{a}/signup/").headers["Location"] == "/signup/account/"
        page = person.get(f"{b}/signup/account/")
        assert page.status == 200
        step = person.post(f"{a}/signup/account/", page, step_data("account", **ACCOUNT))
        assert step.headers["Location"] == "/signup/profile/", step.text
        page = person.get(f"{b}/signup/profile/")
        assert page.status == 200 and "Full name" in page.text
        assert person.get(f"{a}/signup/").headers["Location"] == "/signup/profile/"
        step = person.post(f"{b}/signup/profile/", page, step_data("profile", **PROFILE))
        assert step.headers["Location"] == "/signup/confirm/", step.text
        page = person.get(f"{a}/signup/confirm/")
        assert ACCOUNT["email"] in page.text and PROFILE["real_name"] in page.text
        step = person.post(f"{b}/signup/confirm/", page, step_data("confirm", accept_terms="on"))
        assert step.headers["Location"] == "/signup/done/", step.text
        done = person.get(f"{a}/signup/done/")
        assert "Welcome, Minji!" in done.text
        assert "Logged in as <strong>minji</strong>" in done.text

        with psycopg.connect(scale_out_database, connect_timeout=5) as db:
            rows = db.execute(
                "SELECT u.username, u.email, u.password, p.real_name, p.phone FROM onboarding_user u "
                "JOIN onboarding_profile p ON p.user_id = u.id"
            ).fetchall()
            assert db.execute("SELECT count(*) FROM django_session").fetchone()[0] == 0  # sessions are in Redis
        assert len(rows) == 1
        username, email, password, real_name, phone = rows[0]
        assert (username, email, real_name, phone) == ("minji", "minji@example.com", "Kim Minji", PROFILE["phone"])
        assert password.startswith("argon2$")

        # The same address, a new session: the three POSTs above already count, on whichever server they landed.
        bot = Browser(forwarded_for=address)
        page = bot.get(f"{a}/signup/account/")
        statuses = []
        for attempt in range(RATE_LIMIT - 3 + 1):
            target = (b, a)[attempt % 2]
            statuses.append(bot.post(f"{target}/signup/account/", page, step_data("account")).status)
        assert statuses == [200] * (RATE_LIMIT - 3) + [429], [log_tail(log) for _, _, log in servers]
        # Another address is not held back by it.
        other_address = address
        while other_address == address:
            other_address = client_address(3600, spare_seconds=0)
        other = Browser(forwarded_for=other_address)
        page = other.get(f"{b}/signup/account/")
        assert other.post(f"{a}/signup/account/", page, step_data("account")).status == 200

    logs = "\n".join(log.read_text() for _, _, log in servers)
    assert f"ip={address}" in logs  # the rejection was logged, with the address the proxy reported
    assert "correct horse" not in logs
