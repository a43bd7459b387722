"""Every outgoing mail: rendered in the person's language, queued through Django's tasks API, sent by a worker.

queue_mail(kind, *, to, language, context)
    Render ``onboarding/email/<kind>_subject.txt``, ``<kind>_body.txt`` and ``<kind>_body.html`` in
    ``language`` (``site_name`` is added to ``context``) and queue one send. Context values are plain
    strings: build links first with ``absolute_url(request, path)``, which honours ``SITE_URL``.

queue_mail_to_users(kind, *, user_ids, context)
    The same kind of mail to many accounts, cheaply: one task per ``BULK_CHUNK`` ids (10,000 approvals
    are 20 task rows, queued in milliseconds). The worker loads each chunk's users, renders every mail
    in the person's ``Profile.language`` with ``name`` (preferred or full name), ``username`` and
    ``email`` added to ``context``, and sends the chunk over one SMTP connection.

When the mail is queued: with the database backend (production) the task row is written in the
caller's transaction, so it exists exactly when the change that caused it was committed, and the worker
(``manage.py db_worker``) sees it only then. With the immediate backend (``make run``) the send runs in
the web process once the transaction commits.

When a send fails: a reason that may pass (server down or refusing connections, a 4xx reply) queues
the send again after ``MAIL_RETRY_SECONDS``, doubling up to an hour, ``MAIL_MAX_ATTEMPTS`` times in all;
a permanent one (5xx, a refused address) is not retried. Each failure is logged; a send given up on
stays in the task table as FAILED, its message kept, for an operator to see and queue again. A sent
mail's links are blanked from its task row. Nothing here ever makes the caller wait for the mail server.

In tests the database backend is in force (tests run production settings): ``tests/conftest.py``'s
``sent_mail`` fixture runs the real worker over the queue and returns ``django.core.mail.outbox``.
"""

import logging
import smtplib
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks.signals import task_finished
from django_tasks_db import DatabaseBackend

logger = logging.getLogger(__name__)

BULK_CHUNK = 500
LONGEST_RETRY_DELAY = 3600  # seconds


def absolute_url(request, path):
    """The full address of `path` for a mail: on SITE_URL when set, else on the host the person used."""
    if settings.SITE_URL:
        return settings.SITE_URL + path
    return request.build_absolute_uri(path)


def site_name():
    return settings.SITE_NAME


def render_mail(kind, *, to, language, context):
    """The mail as plain JSON-ready parts, rendered in `language`."""
    with translation.override(language):
        context = {**context, "site_name": site_name(), "contact_email": settings.SIGNUP_CONTACT_EMAIL}
        subject = render_to_string(f"onboarding/email/{kind}_subject.txt", context)
        return {
            "kind": kind,
            "to": to,
            "subject": " ".join(subject.split()),
            "text": render_to_string(f"onboarding/email/{kind}_body.txt", context),
            "html": render_to_string(f"onboarding/email/{kind}_body.html", context),
        }


def queue_mail(kind, *, to, language, context):
    """Render a mail now and queue its sending (see the module's docstring)."""
    enqueue(send_mail, render_mail(kind, to=to, language=language, context=context))


def queue_mail_to_users(kind, *, user_ids, context):
    """Queue `kind` to every user in `user_ids`, rendered by the worker in each one's language."""
    user_ids = list(user_ids)
    for start in range(0, len(user_ids), BULK_CHUNK):
        enqueue(send_mail_to_users, kind, user_ids[start : start + BULK_CHUNK], context)


def enqueue(task, *args):
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args)  # in the caller's transaction: committed with it, or not at all
    else:
        transaction.on_commit(partial(task.enqueue, *args))


def build_message(mail):
    message = EmailMultiAlternatives(mail["subject"], mail["text"], to=[mail["to"]])
    message.attach_alternative(mail["html"], "text/html")
    return message


@task()
def send_mail(mail, attempt=1):
    """Send one rendered mail; on failure, queue it again (or give up) as the module's docstring says."""
    try:
        build_message(mail).send()
    except Exception as error:
        retry_or_give_up(send_mail, (mail,), attempt=attempt, error=error, what=f"a {mail['kind']} mail")
        raise


@task()
def send_mail_to_users(kind, user_ids, context, attempt=1):
    """Render and send `kind` to each of these users over one connection; queue again those not reached."""
    from .models import User

    users = User.objects.filter(pk__in=user_ids).select_related("profile").order_by("pk")
    waiting = [user.pk for user in users]
    connection = get_connection()
    try:
        connection.open()
        for user in users:
            mail = render_mail(
                kind,
                to=user.email,
                language=user.mail_language,
                context={
                    **context,
                    "name": user.greeting_name,
                    "username": user.get_username(),
                    "email": user.email,
                },
            )
            try:
                connection.send_messages([build_message(mail)])
            except Exception as error:
                if may_pass(error):
                    raise
                logger.error("Could not send a %s mail to user id=%s: %s (not retried)", kind, user.pk, error)
            waiting.remove(user.pk)
    except Exception as error:
        retry_or_give_up(
            send_mail_to_users,
            (kind, waiting, context),
            attempt=attempt,
            error=error,
            what=f"{len(waiting)} {kind} mail(s)",
        )
        raise
    finally:
        connection.close()


def may_pass(error):
    """True for a failure worth trying again later: the server was unreachable or said "try later" (4xx)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(error, OSError)  # refused, timed out, disconnected (smtplib's errors are OSErrors too)


def retry_delay(attempt):
    return min(settings.MAIL_RETRY_SECONDS * 2 ** (attempt - 1), LONGEST_RETRY_DELAY)


def retry_or_give_up(task, args, *, attempt, error, what):
    """Queue the send again after a growing delay when that may help; log either way."""
    backend = task.get_backend()
    if may_pass(error) and attempt < settings.MAIL_MAX_ATTEMPTS and backend.supports_defer:
        delay = retry_delay(attempt)
        task.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(*args, attempt + 1)
        logger.warning("Could not send %s (attempt %d: %r); trying again in %g s.", what, attempt, error, delay)
    elif not backend.supports_defer:
        logger.error("Could not send %s (%r); this task backend cannot retry later.", what, error)
    else:
        logger.error("Gave up sending %s after %d attempt(s): %r", what, attempt, error)


def forget_sent_links(sender, task_result, **kwargs):
    """Blank a sent mail's task row: its links stay valid for days and need not sit in the database."""
    if task_result.task.func is not send_mail.func or task_result.status != TaskResultStatus.SUCCESSFUL:
        return
    if isinstance(task_result.task.get_backend(), DatabaseBackend):
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.filter(pk=task_result.id).update(args_kwargs={"args": [], "kwargs": {}})


task_finished.connect(forget_sent_links, dispatch_uid="onboarding.mail.forget_sent_links")
