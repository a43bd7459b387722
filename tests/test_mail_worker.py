"""The mail worker as production runs it (`manage.py db_worker` in its own process) through an SMTP outage."""

import os
import subprocess
import sys
import time

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from onboarding.models import User
from tests.mailserver import SMTPServer, link_in, text_of
from tests.servers import REPO

pytestmark = pytest.mark.django_db(transaction=True)


def database_url():
    """The test database, as a DATABASE_URL for another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def run_worker(smtp):
    """One bounded run of the real worker: it sends what is due, then exits (--batch); never more than a minute."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SIGNUP_", "EMAIL_"))}
    env = {
        **base,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "test-only-not-a-secret",
        "DATABASE_URL": database_url(),
        "EMAIL_URL": f"{smtp.url}?timeout=5",
        "DJANGO_MAIL_RETRY_SECONDS": "1",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "mail_worker", "--batch", "--no-startup-delay", "--interval=0"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_mail_asked_for_while_the_mail_server_is_down_arrives_once_it_is_back(make_user):
    make_user()
    smtp = SMTPServer()  # its port is chosen, but nothing listens on it yet

    started = time.perf_counter()
    response = Client().post("/password-reset/", {"email": "minji@example.com"})
    assert response.status_code == 302 and response["Location"] == "/password-reset/sent/"
    assert time.perf_counter() - started < 5  # the request only queued the mail

    down = run_worker(smtp)
    assert down.returncode == 0, down.stderr
    log = down.stdout + down.stderr
    assert "Could not send a password_reset mail (attempt 1" in log and "trying again in 1 s" in log
    assert "minji@example.com" not in log
    assert DBTaskResult.objects.filter(status="FAILED").count() == 1
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after > retry.enqueued_at

    smtp.start()
    try:
        while timezone.now() <= retry.run_after:
            time.sleep(0.2)
        up = run_worker(smtp)
        assert up.returncode == 0, up.stderr
        [message] = smtp.inbox.messages
    finally:
        smtp.stop()
    assert message["To"] == "minji@example.com"
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 1

    # The link in the mail that was late still works.
    client = Client()
    page = client.get(link_in(text_of(message), "/password-reset/").removeprefix("http://testserver"), follow=True)
    assert page.status_code == 200 and "Choose a new password" in page.content.decode()
    assert User.objects.get().check_password("correct horse battery 42")
