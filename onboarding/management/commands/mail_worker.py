"""`manage.py mail_worker`: django-tasks-db's db_worker command and options, running onboarding/worker.py's worker."""

from django.core.management.base import CommandError
from django_tasks_db.management.commands import db_worker

from onboarding.mail.worker import MailQueueWorker


class Command(db_worker.Command):
    help = "Send queued mail; wait out database outages and requeue the sends of workers that died."

    def handle(self, *, verbosity, queue_name, exclude_queues, reload, **options):
        self.configure_logging(verbosity)
        # --reload is accepted for db_worker's sake and ignored: a worker restarted mid-send would send twice.
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = MailQueueWorker(
            queue_names=queue_names,
            excluded_queue_names=excluded,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
        )
        worker.configure_signals()
        worker.run()
