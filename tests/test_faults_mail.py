"""Fault tests for mail: a worker killed mid-send, a worker kept running, a mail server slow to say "kept".

The workers are real `manage.py mail_worker` processes on the test database; the mail server is aiosmtpd.
"""

import asyncio
import logging
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from django_tasks_db.models import DBTaskResult

from onboarding.mail import queue as outgoing
from onboarding.models import MailWorker
from onboarding.signup.accounts import create_account
from tests.faults import SlowSMTPServer
from tests.mailserver import Inbox, SMTPServer
from tests.servers import REPO
from tests.test_mail_worker import database_url

pytestmark = pytest.mark.django_db(transaction=True)


def worker_env(smtp, **extra):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SIGNUP_", "EMAIL_", "MAIL_"))}
    return {
        **base,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "test-only-not-a-secret",
        "DATABASE_URL": database_url(),
        "EMAIL_URL": f"{smtp.url}?timeout=20",
        **extra,
    }


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what}: not within {seconds}s")


def queue_confirmation():
    user = create_account(
        username="minji",
        email="minji@example.com",
        password_hash="!",
        real_name="Kim Minji",
        confirm_url_for=lambda user: "http://testserver/email/confirm/abc/",
    )
    return user, DBTaskResult.objects.get()


class HeldInbox(Inbox):
    """Holds every RCPT until released: the worker is mid-send, and nothing has been kept yet."""

    def __init__(self):
        super().__init__()
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.holding.set()
        for _ in range(300):  # at most 30 s
            if self.release.is_set():
                break
            await asyncio.sleep(0.1)
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_worker_killed_mid_send_has_its_mail_sent_once_by_the_next_worker(tmp_path):
    _user, row = queue_confirmation()
    smtp = SMTPServer()
    smtp.inbox = HeldInbox()
    smtp.start()
    env = worker_env(smtp, MAIL_LEASE_SECONDS="2")
    try:
        with open(tmp_path / "first.log", "wb") as log:
            first = subprocess.Popen(
                [sys.executable, "manage.py", "mail_worker", "--no-startup-delay", "--interval=0.2"],
                cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            try:
                wait_for(smtp.inbox.holding.is_set, 30, "the first worker reached the mail server")
                assert DBTaskResult.objects.get(pk=row.pk).status == "RUNNING"
                first.send_signal(signal.SIGKILL)
                first.wait(timeout=10)
            finally:
                if first.poll() is None:
                    first.kill()
        smtp.inbox.release.set()
        assert smtp.inbox.messages == []  # the server kept nothing
        time.sleep(2.2)  # the lease runs out
        second = subprocess.run(
            [sys.executable, "manage.py", "mail_worker", "--batch", "--no-startup-delay", "--interval=0"],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert second.returncode == 0, second.stderr
        assert "1 task(s) back in the queue" in second.stdout + second.stderr
        [message] = smtp.inbox.messages
    finally:
        smtp.stop()
    assert message["To"] == "minji@example.com" and "/email/confirm/abc/" in message.get_body(("plain",)).get_content()
    done = DBTaskResult.objects.get(pk=row.pk)
    assert done.status == "SUCCESSFUL" and len(done.worker_ids) == 2
    assert done.args_kwargs == {"args": [], "kwargs": {}}  # sent: no copy of the mail is kept


def test_the_keep_running_loop_starts_a_killed_worker_again_and_its_mail_goes(tmp_path):
    smtp = SMTPServer().start()
    env = worker_env(smtp)
    log_path = tmp_path / "keep-running.log"
    with open(log_path, "wb") as log:
        loop = subprocess.Popen(
            ["deploy/keep-running", sys.executable, "manage.py", "mail_worker", "--no-startup-delay", "--interval=.2"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            wait_for(lambda: MailWorker.objects.exists(), 30, "a worker said it is alive")
            first = MailWorker.objects.get()
            os.kill(first.pid, signal.SIGKILL)
            wait_for(lambda: MailWorker.objects.exclude(pid=first.pid).exists(), 30, "a new worker started")
            assert "exited with status" in log_path.read_text()
            queue_confirmation()
            wait_for(lambda: len(smtp.inbox.messages) == 1, 20, "the mail arrived")
            new = MailWorker.objects.exclude(pid=first.pid).get()
            loop.send_signal(signal.SIGTERM)
            loop.wait(timeout=20)
            wait_for(lambda: not os.path.exists(f"/proc/{new.pid}"), 20, "the worker stopped with the loop")
        finally:
            if loop.poll() is None:
                os.killpg(loop.pid, signal.SIGKILL)
            smtp.stop()
    assert len(smtp.inbox.messages) == 1


@pytest.mark.django_db(transaction=False)
def test_a_slow_reply_after_the_message_is_waited_for_and_never_sent_twice(settings, sent_mail, caplog):
    server = SlowSMTPServer(delay=1.5).start()
    settings.EMAIL_BACKEND = "onboarding.mail.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 0.5  # every other reply is quick
    settings.MAIL_RETRY_SECONDS = 0  # a retry would be due at once, and the worker run would send it
    try:
        # The reply comes within EMAIL_DATA_TIMEOUT: one mail, no retry.
        settings.EMAIL_DATA_TIMEOUT = 5
        _user, row = queue_confirmation()
        message_id = row.args_kwargs["args"][0]["message_id"]
        sent_mail()
        [first] = server.inbox.messages
        assert first["Message-ID"] == message_id
        assert DBTaskResult.objects.get().status == "SUCCESSFUL"

        # The reply never comes in time: "maybe sent", not sent again (the server did keep it).
        settings.EMAIL_DATA_TIMEOUT = 0.5
        approved = {"name": "Sora", "login_url": "/"}
        outgoing.queue_mail("approved", to="sora@example.com", language="en", context=approved)
        with caplog.at_level(logging.WARNING, logger="onboarding.mail.queue"):
            sent_mail()
            time.sleep(1.5)  # the server finishes its slow reply
            sent_mail()
    finally:
        server.stop()
    assert [message["To"] for message in server.inbox.messages] == ["minji@example.com", "sora@example.com"]
    assert "may have been sent" in caplog.text
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
