"""Every outgoing mail: rendered in the person's language, queued through Django's tasks API, sent by a worker.

queue_mail(kind, *, to, language, context)
    Queue one send of ``onboarding/email/<kind>_subject.txt``, ``<kind>_body.txt`` and ``<kind>_body.html``,
    which the worker renders in ``language`` (``site_name`` is added to ``context``) before its first
    attempt: the request that asks for a mail does not spend its time on templates. Context values are
    plain strings and numbers (they wait in the queue as JSON): build links first with
    ``absolute_url(request, path)``, which honours ``SITE_URL``.

queue_mail_to_users(kind, *, user_ids, context)
    The same kind of mail to many accounts, cheaply: one task per ``BULK_CHUNK`` ids (10,000 approvals
    are 20 task rows, queued in milliseconds). The worker loads each chunk's users, renders every mail
    in the person's ``Profile.language`` with ``name`` (preferred or full name), ``username`` and
    ``email`` added to ``context``, and sends the chunk over one SMTP connection.

queue_mail_batch(kind, *, ids, recipients, context)
    The same, for mail whose links are made only when it is sent (invitations): ``recipients`` is the
    dotted path of a function that the worker calls with each chunk's ids and ``context``; it returns
    ``(id, to, language, context)`` for each mail, storing whatever it made (a token's hash) itself. So no
    link waits in the queue, and a batch of 10,000 is queued in milliseconds.

When the mail is queued: with the database backend (production) the task row is written in the
caller's transaction, so it exists exactly when the change that caused it was committed, and the worker
(``manage.py mail_worker``) sees it only then. With the immediate backend (``make run``) the send runs in
the web process once the transaction commits.

When a send fails: a reason that may pass (server down or refusing connections, a 4xx reply) queues
the send again after ``MAIL_RETRY_SECONDS``, doubling up to an hour, ``MAIL_MAX_ATTEMPTS`` times in all;
a permanent one (5xx, a refused address) is not retried. Each failure is logged. The retry row carries
the mail and the failed row is blanked in the same transaction, so the mail (and its live links) is
stored once however often it is tried; a send given up on keeps its mail in its FAILED row, for an
operator to see and queue again. A sent mail's row is blanked too.

Sent at most twice, rarely doubled: every mail has a ``Message-ID`` fixed when it is queued, the same on
every attempt, so a receiving server (or a person) can tell a repeat. The server's reply after the
message gets a long wait (``EMAIL_DATA_TIMEOUT``); when it never comes the mail counts as "maybe sent"
and is not tried again (onboarding/smtp.py). A worker killed mid-send leaves its row RUNNING; after
``MAIL_LEASE_SECONDS`` another worker puts it back in the queue, once (onboarding/worker.py).
Nothing here ever makes the caller wait for the mail server.

In tests the database backend is in force (tests run production settings): ``tests/conftest.py``'s
``sent_mail`` fixture runs the real worker over the queue and returns ``django.core.mail.outbox``.
"""

import hashlib
import logging
import secrets
import smtplib
from datetime import timedelta
from email.utils import make_msgid, parseaddr
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django_tasks import task
from django_tasks_db import DatabaseBackend

from onboarding.mail.smtp import MaybeSent

logger = logging.getLogger(__name__)

BULK_CHUNK = 500
LONGEST_RETRY_DELAY = 3600  # seconds


def absolute_url(request, path):
    """The full address of `path` for a mail: on SITE_URL (which production requires); only with DEBUG on
    and no SITE_URL, on the host the person used."""
    if settings.SITE_URL or not settings.DEBUG:
        return settings.SITE_URL + path
    return request.build_absolute_uri(path)


def site_name():
    return settings.SITE_NAME


def message_domain():
    # The sender's domain, from the bare address: DEFAULT_FROM_EMAIL may carry a display name ("Maru <a@b>").
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"


def render_mail(kind, *, to, language, context, message_id=None):
    """The mail as plain JSON-ready parts, rendered in `language`, with the Message-ID every attempt uses."""
    with translation.override(language):
        context = {**context, "site_name": site_name(), "contact_email": settings.SIGNUP_CONTACT_EMAIL}
        subject = render_to_string(f"onboarding/email/{kind}_subject.txt", context)
        return {
            "kind": kind,
            "to": to,
            "subject": " ".join(subject.split()),
            "text": render_to_string(f"onboarding/email/{kind}_body.txt", context),
            "html": render_to_string(f"onboarding/email/{kind}_body.html", context),
            "message_id": message_id or make_msgid(domain=message_domain()),
        }


def queue_mail(kind, *, to, language, context, discard=False):
    """Queue a mail's sending, to be rendered by the worker (see the module's docstring); with `discard`, the
    same work in the request but nothing is rendered or sent."""
    mail = {"kind": kind, "to": to, "language": language, "context": context}
    mail["message_id"] = make_msgid(domain=message_domain())
    enqueue(discard_mail if discard else send_mail, mail)


def rendered(mail):
    """The mail with its subject and bodies: rendered now if it was queued unrendered (rows queued before the
    worker rendered them carry their parts already)."""
    if "subject" in mail:
        return mail
    return render_mail(
        mail["kind"], to=mail["to"], language=mail["language"], context=mail["context"], message_id=mail["message_id"]
    )


def queue_mail_to_users(kind, *, user_ids, context):
    """Queue `kind` to every user in `user_ids`, rendered by the worker in each one's language."""
    user_ids = list(user_ids)
    # One Message-ID per person for this batch, whichever task (or retry) sends it: see bulk_message_id.
    context = {**context, "mail_batch": secrets.token_hex(8)}
    for start in range(0, len(user_ids), BULK_CHUNK):
        enqueue(send_mail_to_users, kind, user_ids[start : start + BULK_CHUNK], context)


def queue_mail_batch(kind, *, ids, recipients, context):
    """Queue `kind` for every id in `ids`, each mail made by the worker through `recipients` (a dotted path)."""
    ids = list(ids)
    context = {**context, "mail_batch": secrets.token_hex(8)}
    for start in range(0, len(ids), BULK_CHUNK):
        enqueue(send_mail_batch, kind, recipients, ids[start : start + BULK_CHUNK], context)


def enqueue(task, *args):
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args)  # in the caller's transaction: committed with it, or not at all
    else:
        transaction.on_commit(partial(task.enqueue, *args))


def bulk_message_id(kind, user_id, context):
    digest = hashlib.sha256(f"{kind}:{user_id}:{context.get('mail_batch', '')}".encode()).hexdigest()[:24]
    return f"<{kind}.{digest}@{message_domain()}>"


def build_message(mail):
    headers = {"Message-ID": mail["message_id"]} if mail.get("message_id") else None
    message = EmailMultiAlternatives(mail["subject"], mail["text"], to=[mail["to"]], headers=headers)
    message.attach_alternative(mail["html"], "text/html")
    return message


def stored_row(context):
    """The task's own row in the database queue, or None with another backend."""
    if not isinstance(context.task_result.task.get_backend(), DatabaseBackend):
        return None
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(pk=context.task_result.id)


def forget_mail(context):
    """Blank the task's row: the mail (with links valid for days) is sent, or carried by its retry."""
    row = stored_row(context)
    if row is not None:
        row.update(args_kwargs={"args": [], "kwargs": {}})


def renew_lease(context):
    """Tell other workers this send is still going (see MAIL_LEASE_SECONDS in onboarding/worker.py)."""
    row = stored_row(context)
    if row is not None:
        row.update(started_at=timezone.now())


@task(takes_context=True)
def send_mail(context, mail, attempt=1):
    """Render and send one mail; on failure, queue it again, rendered (or give up), as the module's docstring says."""
    queued = mail
    try:
        mail = rendered(mail)
        build_message(mail).send()
    except MaybeSent as error:
        logger.warning(
            "A %s mail (%s) may have been sent: the server did not answer after the message (%s). Not sent again.",
            mail["kind"], mail.get("message_id"), error,
        )  # fmt: skip
    except Exception as error:
        retry_or_give_up(
            send_mail, (mail,), attempt=attempt, error=error, what=f"a {mail['kind']} mail", context=context
        )
        if mail["kind"] == "confirm_email" and not may_pass(error):
            from onboarding.verification.services import confirmation_refused

            confirmation_refused(queued)  # the address does not take mail: the signup's risk goes up
        raise
    forget_mail(context)


@task(takes_context=True)
def discard_mail(context, mail):
    """Send nothing: queued for a mail that must not go out, so that asking costs what a real send costs
    (a password reset for an address without an account queues exactly as one with)."""
    forget_mail(context)


@task(takes_context=True)
def send_mail_to_users(context, kind, user_ids, context_values, attempt=1):
    """Render and send `kind` to each of these users over one connection; queue again those not reached."""
    from onboarding.models import User

    users = User.objects.filter(pk__in=user_ids).select_related("profile").order_by("pk")
    people = [
        (
            user.pk,
            user.email,
            user.mail_language,
            {"name": user.greeting_name, "username": user.get_username(), "email": user.email},
        )
        for user in users
    ]
    send_each(
        context, kind, people, context_values, attempt=attempt, again=send_mail_to_users, args=(kind,), noun="user"
    )


@task(takes_context=True)
def send_mail_batch(context, kind, recipients, ids, context_values, attempt=1):
    """Have `recipients` make each mail of this chunk (its links included), then send them over one connection."""
    people = list(import_string(recipients)(ids, context_values))
    send_each(context, kind, people, context_values, attempt=attempt, again=send_mail_batch, args=(kind, recipients))


def send_each(context, kind, people, context_values, *, attempt, again, args, noun="recipient"):
    """Render and send one mail per (id, to, language, context) over one connection; on a failure that may
    pass, queue `again(*args, waiting ids, context_values)` for those not reached."""
    waiting = [person[0] for person in people]
    connection = get_connection()
    try:
        connection.open()
        for number, (key, to, language, values) in enumerate(people, start=1):
            mail = render_mail(
                kind,
                to=to,
                language=language,
                context={**context_values, **values},
                message_id=bulk_message_id(kind, key, context_values),
            )
            try:
                connection.send_messages([build_message(mail)])
            except MaybeSent as error:
                logger.warning("A %s mail to %s id=%s may have been sent (%s); not again.", kind, noun, key, error)
                connection.close()  # the connection is gone; the next mail opens another
                connection.open()
            except Exception as error:
                if may_pass(error):
                    raise
                logger.error("Could not send a %s mail to %s id=%s: %s (not retried)", kind, noun, key, error)
            waiting.remove(key)
            if number % 25 == 0:
                renew_lease(context)
    except Exception as error:
        retry_or_give_up(
            again,
            (*args, waiting, context_values),
            attempt=attempt,
            error=error,
            what=f"{len(waiting)} {kind} mail(s)",
            context=context,
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


def retry_or_give_up(task, args, *, attempt, error, what, context):
    """Queue the send again after a growing delay when that may help; log either way."""
    backend = task.get_backend()
    if may_pass(error) and attempt < settings.MAIL_MAX_ATTEMPTS and backend.supports_defer:
        delay = retry_delay(attempt)
        with transaction.atomic():  # the mail moves to its retry: in one row or the other, never both
            task.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(*args, attempt + 1)
            forget_mail(context)
        logger.warning("Could not send %s (attempt %d: %r); trying again in %g s.", what, attempt, error, delay)
    elif not backend.supports_defer:
        logger.error("Could not send %s (%r); this task backend cannot retry later.", what, error)
    else:
        logger.error("Gave up sending %s after %d attempt(s): %r", what, attempt, error)
