"""The mail layer: rendered in the person's language, queued, sent by the real worker over real SMTP, retried."""

import logging

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task_backends
from django_tasks_db.models import DBTaskResult

from onboarding.mail import queue as outgoing
from onboarding.models import User
from onboarding.review.services import review_signups
from onboarding.signup.accounts import create_account
from tests.mailserver import html_of, text_of
from tests.test_production import manage

pytestmark = pytest.mark.django_db


def make_user(username, language, preferred_name=""):
    return create_account(
        username=username,
        email=f"{username}@example.com",
        password_hash=make_password(None),
        real_name=f"{username.title()} Kim",
        preferred_name=preferred_name,
        language=language,
    )


def approved_context():
    return {"name": "Minji", "username": "minji", "login_url": "https://signup.example.com/login/"}


def test_a_queued_mail_waits_for_the_worker_then_leaves_by_real_smtp_in_its_language(smtp_server, sent_mail):
    outgoing.queue_mail("approved", to="minji@example.com", language="ko", context=approved_context())
    assert smtp_server.inbox.messages == []  # queued, not sent in the caller
    row = DBTaskResult.objects.get()
    assert row.task_path == "onboarding.mail.queue.send_mail" and row.status == "READY"

    sent_mail()
    [message] = smtp_server.inbox.messages
    assert message["To"] == "minji@example.com" and message["From"] == "Maru <signup@localhost>"
    assert message["Subject"].strip() == "[Maru] 가입이 승인되었습니다"
    assert "Maru의 minji 계정이 승인되어" in text_of(message)
    assert '<a href="https://signup.example.com/login/">' in html_of(message)
    assert '<html lang="ko">' in html_of(message)
    # Sent: the task row no longer holds the mail and its links.
    row.refresh_from_db()
    assert row.status == "SUCCESSFUL" and row.args_kwargs == {"args": [], "kwargs": {}}


def test_site_name_and_site_url_come_from_the_settings(settings, rf, sent_mail):
    settings.SITE_NAME = "Hanbit"
    settings.SITE_URL = "https://signup.example.com"
    link = outgoing.absolute_url(rf.get("/"), "/login/")
    assert link == "https://signup.example.com/login/"
    outgoing.queue_mail("approved", to="minji@example.com", language="en", context={**approved_context()})
    [message] = sent_mail()
    assert message.subject == "Your Hanbit account has been approved"
    # Only `make run` (DEBUG on, no SITE_URL) builds links from the request's host.
    settings.SITE_URL, settings.DEBUG = "", True
    assert outgoing.absolute_url(rf.get("/"), "/login/") == "http://testserver/login/"


def test_a_rolled_back_change_queues_no_mail(sent_mail):
    with pytest.raises(RuntimeError), transaction.atomic():
        outgoing.queue_mail("approved", to="minji@example.com", language="en", context=approved_context())
        raise RuntimeError("the change failed")
    assert DBTaskResult.objects.count() == 0
    assert sent_mail() == []


def test_many_users_are_queued_in_chunks_and_each_mail_is_in_its_owners_language(monkeypatch, sent_mail):
    monkeypatch.setattr(outgoing, "BULK_CHUNK", 2)
    users = [make_user("minji", "ko", "민지"), make_user("alex", "en"), make_user("sora", "ko")]
    outgoing.queue_mail_to_users("approved", user_ids=[user.pk for user in users], context={"login_url": ""})
    assert DBTaskResult.objects.count() == 2  # one task per chunk, not per person

    outbox = sorted(sent_mail(), key=lambda message: message.to)
    assert [message.to for message in outbox] == [["alex@example.com"], ["minji@example.com"], ["sora@example.com"]]
    assert outbox[0].subject == "Your Maru account has been approved"
    assert "Hello Alex Kim," in outbox[0].body
    assert outbox[1].subject == "[Maru] 가입이 승인되었습니다" and "민지" in outbox[1].body
    assert all(message.alternatives[0][1] == "text/html" for message in outbox)


def test_ten_thousand_approval_mails_queue_as_twenty_tasks(django_assert_max_num_queries):
    with django_assert_max_num_queries(25):
        outgoing.queue_mail_to_users("approved", user_ids=range(1, 10_001), context={"login_url": ""})
    assert DBTaskResult.objects.count() == 20


def test_a_mail_server_that_is_down_gets_the_mail_later(smtp_server, settings, sent_mail, caplog):
    settings.MAIL_RETRY_SECONDS = 120
    smtp_server.stop()
    outgoing.queue_mail("approved", to="minji@example.com", language="en", context=approved_context())
    with caplog.at_level(logging.WARNING, logger="onboarding.mail.queue"):
        sent_mail()
    assert "Could not send a approved mail (attempt 1" in caplog.text and "trying again in 120 s" in caplog.text
    assert "minji@example.com" not in caplog.text  # logs name no one
    failed = DBTaskResult.objects.get(status="FAILED")
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.args_kwargs["args"][1] == 2  # the second attempt
    assert 110 < (retry.run_after - timezone.now()).total_seconds() <= 120
    # The mail moved to its retry: the failed attempt keeps no copy (nor its links).
    assert failed.args_kwargs == {"args": [], "kwargs": {}}
    assert retry.args_kwargs["args"][0]["to"] == "minji@example.com"

    smtp_server.start()
    sent_mail()
    assert smtp_server.inbox.messages == []  # not due yet
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    sent_mail()
    [message] = smtp_server.inbox.messages
    assert message["Subject"].strip() == "Your Maru account has been approved"


def test_retries_back_off_and_stop_after_the_last_attempt(smtp_server, settings, sent_mail, caplog):
    settings.MAIL_RETRY_SECONDS = 0  # every retry due at once, so one worker run goes through all of them
    settings.MAIL_MAX_ATTEMPTS = 3
    smtp_server.stop()
    outgoing.queue_mail("approved", to="minji@example.com", language="en", context=approved_context())
    with caplog.at_level(logging.WARNING, logger="onboarding.mail.queue"):
        sent_mail()
    assert DBTaskResult.objects.filter(status="FAILED").count() == 3
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert "Gave up sending a approved mail after 3 attempt(s)" in caplog.text
    assert [outgoing.retry_delay(n) for n in (1, 2, 3)] == [0, 0, 0]
    settings.MAIL_RETRY_SECONDS = 60
    assert [outgoing.retry_delay(n) for n in (1, 2, 3, 7, 12)] == [60, 120, 240, 3600, 3600]


def test_a_refused_recipient_is_not_retried_and_the_rest_of_a_chunk_still_goes(smtp_server, sent_mail, caplog):
    async def refuse_sora(server, session, envelope, address, rcpt_options):
        if address.startswith("sora@"):
            return "550 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp_server.inbox.handle_RCPT = refuse_sora
    users = [make_user("minji", "ko"), make_user("sora", "en"), make_user("alex", "en")]
    outgoing.queue_mail_to_users("approved", user_ids=[user.pk for user in users], context={"login_url": ""})
    sent_mail()
    assert sorted(message["To"] for message in smtp_server.inbox.messages) == [
        "alex@example.com",
        "minji@example.com",
    ]
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert f"Could not send a approved mail to user id={users[1].pk}" in caplog.text


def test_with_the_immediate_backend_mail_leaves_when_the_transaction_commits(
    settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert type(task_backends["default"]).__name__ == "ImmediateBackend"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        outgoing.queue_mail("approved", to="minji@example.com", language="en", context=approved_context())
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert [message.to for message in mail.outbox] == [["minji@example.com"]]
    assert DBTaskResult.objects.count() == 0


@pytest.mark.parametrize(
    "url, expected",
    [
        ("smtp://mail.example.com:2525", "smtp mail.example.com 2525 tls=False ssl=False"),
        ("smtp+tls://me:secret@mail.example.com:587", "smtp mail.example.com 587 tls=True ssl=False"),
        ("smtp://mail.example.com:465?ssl=1", "smtp mail.example.com 465 tls=False ssl=True"),
        ("console://", "console localhost 25 tls=False ssl=False"),
    ],
)
def test_email_url_sets_the_mail_server(url, expected):
    code = (
        "from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND.split('.')[-2], s.EMAIL_HOST, s.EMAIL_PORT, "
        "f'tls={s.EMAIL_USE_TLS} ssl={s.EMAIL_USE_SSL}')"
    )
    result = manage("shell", "-c", code, DJANGO_SECRET_KEY="x" * 50, EMAIL_URL=url)
    assert result.stdout.strip().splitlines()[-1] == expected, result.stderr


def test_an_unknown_email_url_is_refused_at_start():
    result = manage("check", DJANGO_SECRET_KEY="x" * 50, EMAIL_URL="pigeon://roof")
    assert result.returncode != 0 and "EMAIL_URL must start with" in result.stderr


def test_the_approval_email_goes_to_users_in_bulk_after_the_review_commits(admin_user, sent_mail):
    users = [make_user("minji", "ko"), make_user("alex", "en")]
    User.objects.filter(pk__in=[user.pk for user in users]).update(is_active=False)
    review_signups(
        users=User.objects.filter(username__in=["minji", "alex"]),
        status="approved",
        reviewer=admin_user,
        login_url="http://testserver/login/",
    )
    assert DBTaskResult.objects.get().task_path == "onboarding.mail.queue.send_mail_to_users"
    assert sorted(message.subject for message in sent_mail()) == [
        "Your Maru account has been approved",
        "[Maru] 가입이 승인되었습니다",
    ]


@pytest.mark.django_db
def test_every_mail_has_the_footer_and_korean_subjects_the_site_prefix():
    from onboarding.mail.queue import render_mail

    context = {
        "resume_url": "https://x/", "expires": "soon", "confirm_url": "https://x/", "login_url": "https://x/",
        "days": 3, "hours": 3,
        "name": "민지", "username": "minji", "email": "minji@example.com", "reset_url": "https://x/",
        "contact": "help@example.com", "new_email": "new@example.com", "old_email": "old@example.com",
    }  # fmt: skip
    kinds = ["approved", "change_email", "confirm_email", "email_changed", "email_in_use", "password_reset",
             "rejected", "resume", "signup_attempt"]  # fmt: skip
    for kind in kinds:
        korean = render_mail(kind, to="minji@example.com", language="ko", context=context)
        assert korean["subject"].startswith("[Maru] "), korean["subject"]
        assert "누군가" not in korean["subject"]  # calm subjects: no "someone tried…"
        for body in (korean["text"], korean["html"]):
            assert "이 메일은 발신 전용입니다." in body and "비밀번호를 묻지 않습니다" in body, kind
        english = render_mail(kind, to="minji@example.com", language="en", context=context)
        assert "never asks for your password" in english["text"] and "does not receive replies" in english["html"]
