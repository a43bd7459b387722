"""The mails of who gets in: invitations (made by the mail worker, links and all) and the waitlist's confirmation."""

from django.utils import timezone

from onboarding import links
from onboarding.mail.queue import queue_mail, queue_mail_batch
from onboarding.models import Invitation

BATCH = 250  # rows per UPDATE in bulk_update (a CASE per field: within every database's parameter limit)


def send_invitations(*, ids, origin):
    """Queue an invitation to each of these invitations' addresses, in chunks; the worker makes each link."""
    if ids:
        queue_mail_batch(
            "invitation",
            ids=ids,
            recipients="onboarding.access.mail.invitation_mails",
            context={"origin": origin, "days": links.lifetimes()["invitation_days"]},
        )


def invitation_mails(ids, context):
    """In the worker: a new token for each invitation still waiting for its mail, stored as its hash, and
    the mail that carries it. An invitation revoked or used since it was queued gets nothing."""
    waiting = list(
        Invitation.objects.filter(pk__in=ids, token_hash__isnull=True, used_at__isnull=True, revoked_at__isnull=True)
    )
    mails = []
    now = timezone.now()
    for invitation in waiting:
        token, invitation.token_hash = links.new_random_token()
        invitation.sent_at = now
        url = links.invitation_url(context["origin"], token)
        mails.append((invitation.pk, invitation.email, invitation.language, {"invitation_url": url}))
    # Stored before any mail goes: a link that is out works.
    Invitation.objects.bulk_update(waiting, ["token_hash", "sent_at"], batch_size=BATCH)
    return mails


def send_waitlist_confirmation(*, entry, confirm_url):
    """Queue the mail whose link confirms a place on the waitlist (so nobody can put someone else on it)."""
    queue_mail(
        "waitlist_confirm",
        to=entry.email,
        language=entry.language,
        context={"confirm_url": confirm_url, "days": links.lifetimes()["waitlist_confirm_days"]},
    )
