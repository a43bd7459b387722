"""/healthz/mail tells a monitor when mail is stuck; leases bring back the sends of workers that died."""

import datetime

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from onboarding.mail import queue as outgoing
from onboarding.mail.worker import reclaim_expired_leases
from onboarding.models import MailWorker

pytestmark = pytest.mark.django_db


def queue_one():
    outgoing.queue_mail("approved", to="minji@example.com", language="en", context={"name": "Minji", "login_url": "/"})
    return DBTaskResult.objects.get()


def test_no_worker_seen_for_a_minute_is_a_503_with_the_numbers(client):
    queue_one()
    response = client.get("/healthz/mail")
    assert response.status_code == 503
    body = response.json()
    assert body["workers_seen"] == 0 and body["waiting"] == 1 and body["ok"] is False
    MailWorker.objects.create(worker_id="w1", seen_at=timezone.now() - datetime.timedelta(seconds=61))
    assert client.get("/healthz/mail").status_code == 503  # seen, but not within the last minute
    MailWorker.objects.create(worker_id="w2", seen_at=timezone.now())
    response = client.get("/healthz/mail")
    assert response.status_code == 200
    assert response.json()["workers_seen"] == 1 and response.json()["oldest_age_seconds"] < 5


def test_mail_waiting_longer_than_mail_queue_max_age_is_a_503(client, settings):
    settings.MAIL_QUEUE_MAX_AGE = 300
    MailWorker.objects.create(worker_id="w", seen_at=timezone.now())
    row = queue_one()
    DBTaskResult.objects.filter(pk=row.pk).update(enqueued_at=timezone.now() - datetime.timedelta(seconds=301))
    response = client.get("/healthz/mail")
    assert response.status_code == 503
    assert response.json()["oldest_age_seconds"] >= 301 and response.json()["waiting"] == 1
    # A retry not yet due is not late; once due, its age counts from when it was due.
    DBTaskResult.objects.filter(pk=row.pk).update(run_after=timezone.now() + datetime.timedelta(minutes=5))
    assert client.get("/healthz/mail").json() == {**response.json(), "ok": True, "waiting": 0, "oldest_age_seconds": 0}


def test_an_expired_lease_goes_back_to_the_queue_once_then_fails(settings):
    settings.MAIL_LEASE_SECONDS = 60
    row = queue_one()
    long_ago = timezone.now() - datetime.timedelta(seconds=61)
    DBTaskResult.objects.filter(pk=row.pk).update(status="RUNNING", started_at=long_ago, worker_ids=["dead"])
    assert reclaim_expired_leases() == (1, 0)
    assert DBTaskResult.objects.get().status == "READY"
    DBTaskResult.objects.filter(pk=row.pk).update(status="RUNNING", started_at=long_ago, worker_ids=["dead", "dead2"])
    assert reclaim_expired_leases() == (0, 1)
    failed = DBTaskResult.objects.get()
    assert failed.status == "FAILED" and "not tried a third time" in failed.traceback
    # A send still inside its lease is left alone.
    DBTaskResult.objects.filter(pk=row.pk).update(status="RUNNING", started_at=timezone.now(), worker_ids=["alive"])
    assert reclaim_expired_leases() == (0, 0)
