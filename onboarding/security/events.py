"""The security log: record(request, user, kind, **details) stores what happened, and mails the person when it
changed how they log in.

Each kind has words for the log (the account home, the admin) and, when it notifies, a mail: in the
person's language, saying what, when (in their time zone), from which browser and IP, and what to do if
it was not them (reset the password). Mail goes through mail/queue.py's queue_mail and spends the same
per-client and per-address quotas as every mail (limits.mail_limited); over them the event is still kept.

Other flows call record() after their change, with the request that made it:
    record(request, user, "passkey_added")
    record(request, user, "email_changed", to=old_address, new_email=new_address)
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onboarding import links, timezones
from onboarding.limits import mail_limited
from onboarding.mail.queue import queue_mail
from onboarding.models import SecurityEvent
from onboarding.security.browsers import client_of

logger = logging.getLogger(__name__)

# How many events the account home and the admin show.
SHOWN = 20


@dataclass(frozen=True)
class Kind:
    label: str
    mail: str | None = "security_notice"  # the mail kind (templates onboarding/email/<mail>_*), or None


KINDS = {
    "login": Kind(_("Logged in"), mail=None),
    "logout_everywhere": Kind(_("Logged out everywhere else"), mail=None),
    "sessions_ended_by_staff": Kind(_("Logged out everywhere by our staff"), mail=None),
    "password_changed": Kind(_("Password changed")),
    "password_reset": Kind(_("Password reset")),
    "email_changed": Kind(_("Email address changed"), mail="email_changed"),
    "passkey_added": Kind(_("Passkey added")),
    "passkey_removed": Kind(_("Passkey removed")),
    "two_step_on": Kind(_("Two-step verification turned on")),
    "two_step_off": Kind(_("Two-step verification turned off")),
    "recovery_code_used": Kind(_("Recovery code used")),
    "recovery_codes_renewed": Kind(_("New recovery codes made")),
}


def label(kind):
    known = KINDS.get(kind)
    return known.label if known else kind


def record(request, user, kind, *, to=None, **details):
    """Store `kind` in `user`'s security log, with the request's browser and IP; mail them if the kind notifies.

    `to`: the address to write to instead of the account's (the old one, for "email_changed"). `details`:
    plain values the mail's text names (new_email). Returns the event.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown security event {kind!r}: add it to KINDS.")
    client = client_of(request)
    event = SecurityEvent.objects.create(user=user, kind=kind, at=timezone.now(), **client)
    mail = KINDS[kind].mail
    address = to or user.email
    if mail and address and request is not None:
        if mail_limited(request, group="security-notice", address=address):
            logger.warning("Security notice %s not mailed: over the mail limit (user id=%s)", kind, user.pk)
        else:
            notify(request, user, event, mail=mail, to=address, details=details)
    return event


def notify(request, user, event, *, mail, to, details):
    language = user.mail_language
    with translation.override(language):
        # Written out now, in their language and time zone: what waits in the queue is plain text.
        when = timezones.format_datetime(event.at, timezones.for_user(user))
        browser = describe_client(event.browser, event.system)
    queue_mail(
        mail,
        to=to,
        language=language,
        context={
            **details,
            "kind": event.kind,
            "name": user.greeting_name,
            "username": user.get_username(),
            "when": when,
            "browser": browser,
            "ip": event.ip,
            "reset_url": links.forgot_password_url(request),
            "contact": settings.SIGNUP_CONTACT_EMAIL,
        },
    )


def describe_client(browser, system):
    """ "Chrome 130 on Linux", in the active language; "" when nothing is known."""
    if browser and system:
        return gettext("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system


def recent(user, count=SHOWN):
    """The account's last `count` events, newest first, each with its words (`label`) and client (`client`)."""
    events = list(SecurityEvent.objects.filter(user=user).order_by("-at", "-pk")[:count])
    for event in events:
        event.label = label(event.kind)
        event.client = describe_client(event.browser, event.system)
    return events
