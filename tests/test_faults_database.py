"""Fault tests for PostgreSQL: frozen behind a proxy during "Create account", and a cluster of the test's own
stopped and paused (SIGSTOP) under a running mail worker."""

import os
import subprocess
import sys
import time
from contextlib import contextmanager

import psycopg
import pytest
from django.db import connection

from onboarding.models import User
from tests.conftest import PASSWORD
from tests.faults import PostgresCluster, Proxy
from tests.mailserver import SMTPServer
from tests.servers import REPO
from tests.test_faults_mail import wait_for
from tests.test_postgres import CREATE

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@contextmanager
def database_behind(proxy):
    """Django's connection goes through `proxy` (to the test database) until the block ends."""
    settings_dict = connection.settings_dict
    host, port = settings_dict["HOST"], settings_dict["PORT"]
    connection.close()
    settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", str(proxy.port)
    try:
        yield
    finally:
        proxy.close()
        connection.close()
        settings_dict["HOST"], settings_dict["PORT"] = host, port


def test_a_frozen_database_gives_our_503_page_within_15_seconds_and_a_retry_works(signup):
    client = signup(until="confirm")
    client.raise_request_exception = False
    proxy = Proxy(int(connection.settings_dict["PORT"] or 5432), connection.settings_dict["HOST"] or "127.0.0.1")
    with database_behind(proxy):
        assert client.get("/healthz").status_code == 200  # through the proxy, while it passes bytes
        proxy.freeze()  # connections stay open, nothing answers: a hung server
        started = time.monotonic()
        response = client.post("/signup/confirm/", CREATE)
        elapsed = time.monotonic() - started
        health_started = time.monotonic()
        health = client.get("/healthz")
        health_elapsed = time.monotonic() - health_started
    assert response.status_code == 503 and elapsed < 15, (response.status_code, elapsed)
    page = response.content.decode()
    assert "Sorry, the service is unavailable" in page and "Carry on with your signup" in page
    assert health.status_code == 503 and health_elapsed < 15
    assert User.objects.count() == 0
    # Thawed: the answers are still there and "Create account" works.
    assert client.post("/signup/confirm/", CREATE)["Location"] == "/signup/done/"
    assert User.objects.count() == 1


def queue_mail_in(database_url, username):
    """Queue one mail in that database, as a web request would (another process, like the app server)."""
    code = (
        "from onboarding.signup.accounts import create_account; "
        "from django.contrib.auth.hashers import make_password; "
        f"create_account(username={username!r}, email='{username}@example.com', "
        f"password_hash=make_password({PASSWORD!r}), real_name='Kim Minji', "
        "confirm_url_for=lambda user: 'http://testserver/email/confirm/x/')"
    )
    run_manage(database_url, "shell", "-c", code)


def base_env(database_url, **extra):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SIGNUP_", "EMAIL_", "MAIL_"))}
    return {**base, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "test-only-not-a-secret", "DATABASE_URL": database_url,
            **extra}  # fmt: skip


def run_manage(database_url, *args):
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=base_env(database_url), capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_the_mail_worker_outlives_a_postgresql_stop_and_a_freeze(tmp_path):
    cluster = PostgresCluster().start()
    smtp = SMTPServer().start()
    url = cluster.url()
    log_path = tmp_path / "worker.log"
    try:
        run_manage(url, "migrate", "--noinput", "-v0")
        with open(log_path, "wb") as log:
            worker = subprocess.Popen(
                [sys.executable, "manage.py", "mail_worker", "--no-startup-delay", "--interval=0.2"],
                cwd=REPO, env=base_env(url, EMAIL_URL=f"{smtp.url}?timeout=5"), stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            try:
                with psycopg.connect(url, autocommit=True) as db:
                    wait_for(lambda: db.execute("SELECT count(*) FROM onboarding_mailworker").fetchone()[0], 30,
                             "the worker said it is alive")  # fmt: skip
                cluster.stop()  # a restart of 2 s
                time.sleep(2)
                assert worker.poll() is None, log_path.read_text()
                cluster.start()
                queue_mail_in(url, "minji")
                wait_for(lambda: len(smtp.inbox.messages) == 1, 30, "the mail sent after the restart")

                cluster.pause()  # frozen: connections open, nothing answers
                time.sleep(3)
                cluster.resume()
                assert worker.poll() is None, log_path.read_text()
                queue_mail_in(url, "sora")
                wait_for(lambda: len(smtp.inbox.messages) == 2, 30, "the worker works after the freeze")
                assert worker.poll() is None
            finally:
                worker.terminate()
                worker.wait(timeout=30)
    finally:
        smtp.stop()
        cluster.remove()
    log = log_path.read_text()
    assert "Lost the database" in log and "The database is back" in log
    assert [message["To"] for message in smtp.inbox.messages] == ["minji@example.com", "sora@example.com"]
