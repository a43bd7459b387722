"""The mail worker: django-tasks-db's worker, made to outlive a database outage and to recover dead workers' sends.

django-tasks-db's own loop (`manage.py db_worker`) exits on the first database error and leaves a task
whose worker was killed RUNNING for ever. This one (`manage.py mail_worker`) reuses its claiming and
running of tasks and adds:

- a lost database is waited for: it logs, drops its connections, and tries again with a growing pause
  (up to DATABASE_RETRY_LONGEST seconds), instead of exiting;
- a heartbeat row per worker (MailWorker), which /healthz/mail reads;
- leases: a task RUNNING for longer than MAIL_LEASE_SECONDS without a sign of life (its worker died
  mid-send) goes back to the queue, once; a second time it is marked FAILED, so a mail is sent at
  most twice. The lease outlasts the longest send (EMAIL_DATA_TIMEOUT and the connection's timeouts);
  bulk sends renew theirs as they go.
"""

import logging
import os
import random
import socket
import time
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections, connections
from django.db.models import Min, Q
from django.utils import timezone
from django_tasks import task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult, get_date_max
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from onboarding.models import MailWorker

logger = logging.getLogger("onboarding.mail.worker")

DATABASE_ERRORS = (OperationalError, InterfaceError)
DATABASE_RETRY_LONGEST = 10  # seconds between tries while the database is away
HOUSEKEEPING_SECONDS = 10  # how often a worker says it is alive and looks for expired leases
WORKER_SILENT_AFTER = timedelta(minutes=1)  # /healthz/mail: no heartbeat this long means no worker
GONE_AFTER = timedelta(days=1)  # heartbeat rows of workers silent this long are deleted


def reclaim_expired_leases(now=None):
    """Put back in the queue each task whose worker stopped mid-run; fail those that already had a second go.

    Returns (requeued, failed) counts.
    """
    now = now or timezone.now()
    lease = timedelta(seconds=settings.MAIL_LEASE_SECONDS)
    expired = DBTaskResult.objects.running().filter(started_at__lt=now - lease)
    requeued = failed = 0
    with exclusive_transaction(expired.db):
        for row in expired.select_for_update(skip_locked=True):
            if len(row.worker_ids) >= 2:
                row.status = "FAILED"
                row.finished_at = now
                row.exception_class_path = "onboarding.mail.worker.LeaseExpired"
                row.traceback = "The worker stopped twice while running this task; it is not tried a third time."
                row.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
                failed += 1
            else:
                row.status = "READY"
                row.save(update_fields=["status"])
                requeued += 1
    if requeued or failed:
        logger.warning("Expired leases: %d task(s) back in the queue, %d given up on.", requeued, failed)
    return requeued, failed


def mail_queue_state(now=None):
    """What /healthz/mail reports: workers seen in the last minute, mail due and waiting, the oldest's age."""
    now = now or timezone.now()
    backend = task_backends["default"]
    if not isinstance(backend, DatabaseBackend):
        # make run: mail is sent in the web process as each request commits; there is no queue to watch.
        return {"ok": True, "backend": "immediate", "workers_seen": None, "waiting": 0, "oldest_age_seconds": 0}
    workers = MailWorker.objects.filter(seen_at__gte=now - WORKER_SILENT_AFTER).count()
    due = DBTaskResult.objects.ready().filter(backend_name="default")
    waiting = due.count()
    # A retry is waiting from the moment it was due, a first send from the moment it was queued.
    oldest = due.aggregate(
        first=Min("enqueued_at", filter=Q(run_after=get_date_max())),
        retried=Min("run_after", filter=~Q(run_after=get_date_max())),
    )
    since = min([moment for moment in oldest.values() if moment is not None], default=None)
    age = max((now - since).total_seconds(), 0) if since else 0
    return {
        "ok": workers > 0 and age <= settings.MAIL_QUEUE_MAX_AGE,
        "backend": "database",
        "workers_seen": workers,
        "waiting": waiting,
        "running": DBTaskResult.objects.running().count(),
        "oldest_age_seconds": round(age, 1),
        "max_age_seconds": settings.MAIL_QUEUE_MAX_AGE,
    }


class MailQueueWorker(Worker):
    """django-tasks-db's Worker with a loop that waits out database outages, a heartbeat, and leases."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.next_housekeeping = 0.0

    def housekeeping(self):
        if time.monotonic() < self.next_housekeeping:
            return
        now = timezone.now()
        MailWorker.objects.update_or_create(
            worker_id=self.worker_id, defaults={"host": socket.gethostname()[:255], "pid": os.getpid(), "seen_at": now}
        )
        MailWorker.objects.filter(seen_at__lt=now - GONE_AFTER).delete()
        reclaim_expired_leases(now)
        self.next_housekeeping = time.monotonic() + HOUSEKEEPING_SECONDS

    def run(self):
        logger.info("Starting mail worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names))
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311 (spread workers started together)
        failures = 0
        while self.running:
            try:
                finished = self.run_once()
            except DATABASE_ERRORS as error:
                if self.batch:
                    raise  # a one-off run reports the outage; the long-running worker waits it out
                failures += 1
                pause = min(0.5 * 2 ** (failures - 1), DATABASE_RETRY_LONGEST)
                logger.warning("Lost the database (%s); trying again in %g s.", str(error).strip(), pause)
                self.drop_connections()
                time.sleep(pause)
                continue
            if failures:
                logger.info("The database is back after %d failed tries.", failures)
                failures = 0
            if finished:
                return

    def drop_connections(self):
        for connection in connections.all(initialized_only=True):
            try:
                connection.close()
            except DatabaseError:
                pass  # already broken: closing is all we wanted

    def run_once(self):
        """One turn of django-tasks-db's loop (claim a task, run it); True when the worker should stop."""
        close_old_connections()
        self.housekeeping()
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        retrieved = True
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
            except OperationalError as error:
                if not is_locked_database_exception(error):
                    raise
                retrieved, task_result = False, None  # SQLite busy: it unlocks soon
        if task_result is not None:
            # A database error while recording the outcome escapes run_task: the row stays RUNNING and
            # its lease brings it back (the mail may then go twice, never more).
            self.run_task(task_result)
        if self.batch and retrieved and task_result is None:
            logger.info("No more tasks to run for worker_id=%s - exiting.", self.worker_id)
            return True
        if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
            return True
        close_old_connections()
        if self.running and not task_result:
            time.sleep(self.interval)
        return False
