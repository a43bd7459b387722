"""The waitlist: the only writers of WaitlistEntry (join, confirm by link, invite from it)."""

from django.db import transaction
from django.utils import timezone

from onboarding import links
from onboarding.access.invitations import chunks, invite_people
from onboarding.access.mail import send_waitlist_confirmation
from onboarding.identities import email_key
from onboarding.limits import mail_limited
from onboarding.models import User, WaitlistEntry


def join(*, request, email, name, language):
    """Put an address on the waitlist and mail it the link that confirms it: "sent", or "limited" (over the
    mail quota for this client or address: nothing sent).

    The visitor is told the same whatever the list holds: an address already confirmed on it, or one with an
    account, gets no mail (and a stranger cannot learn which addresses are there).
    """
    if mail_limited(request, group="waitlist", address=email):
        return "limited"
    key = email_key(email)
    if User.objects.filter(email_key=key).exists():
        return "sent"
    token, token_hash = links.new_random_token()
    with transaction.atomic():
        entry, created = WaitlistEntry.objects.select_for_update().get_or_create(
            email_key=key, defaults={"email": email, "name": name, "language": language}
        )
        if entry.confirmed_at:
            return "sent"
        entry.email, entry.name, entry.language = email, name, language
        entry.token_hash = token_hash  # a newer link replaces the older
        entry.token_expires_at = timezone.now() + links.WAITLIST_CONFIRM_MAX_AGE
        entry.save()
        send_waitlist_confirmation(entry=entry, confirm_url=links.waitlist_confirm_url(request, token))
    return "sent"


def find(*, token):
    """The entry behind a confirmation link's token, or None for a forged, cut or replaced link."""
    return WaitlistEntry.objects.filter(token_hash=links.token_hash(token)).first()


def link_state(entry):
    """ "unknown", "confirmed" (used before), "expired", or "live"."""
    if entry is None:
        return "unknown"
    if entry.confirmed_at:
        return "confirmed"
    if entry.token_expires_at is None or entry.token_expires_at <= timezone.now():
        return "expired"
    return "live"


@transaction.atomic
def confirm(*, token):
    """Confirm the place behind `token`, once: (entry, True), else (entry or None, False) as it stands."""
    entry = WaitlistEntry.objects.select_for_update().filter(token_hash=links.token_hash(token)).first()
    if link_state(entry) != "live":
        return entry, False
    entry.confirmed_at = timezone.now()
    entry.save(update_fields=["confirmed_at"])
    return entry, True


def invite_from_waitlist(*, entries, invited_by, origin):
    """Invite the confirmed, not yet invited people among `entries` (a queryset), each in their language.

    Batched like the review actions: plain rows, an UPDATE per 900, the mail queued in chunks of 500 for the
    worker (which makes each link). Returns (Invited, how many were left out: unconfirmed or invited before).
    """
    selected = entries.count()
    rows = list(
        entries.filter(confirmed_at__isnull=False, invited_at__isnull=True)
        .order_by("created_at", "pk")
        .values_list("pk", "email", "language")
    )
    with transaction.atomic():
        report = invite_people(
            people=[(email, language) for _, email, language in rows], invited_by=invited_by, origin=origin
        )
        now = timezone.now()
        for part in chunks([pk for pk, _, _ in rows]):
            WaitlistEntry.objects.filter(pk__in=part).update(invited_at=now)
    return report, selected - len(rows)
