"""Invitations: the only writers of the Invitation table (invite, revoke, re-send, open, mark used)."""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from onboarding import links
from onboarding.access.mail import send_invitations
from onboarding.identities import email_key
from onboarding.models import Invitation, User

# Rows per IN (...) or UPDATE: within every database's limit on query parameters.
CHUNK = 900


@dataclass
class Invited:
    """What an invite did: the addresses invited, and those left alone, each with why."""

    invited: list = field(default_factory=list)
    repeated: list = field(default_factory=list)  # twice in what was pasted: invited once
    already_invited: list = field(default_factory=list)  # a live invitation exists: not sent again
    members: list = field(default_factory=list)  # the address has an account


def chunks(items):
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def live():
    """Invitations that still stand (may be sent again rather than made anew): neither used nor revoked."""
    return Q(used_at__isnull=True, revoked_at__isnull=True)


def invite(*, emails, invited_by, language, origin):
    """Invite each address (already checked like a signup's) once, in `language`; returns Invited.

    An address given twice, one with a live invitation and one with an account are reported, not sent to
    again (a re-send is its own action). Mail is queued in chunks for the worker, which makes the links.
    """
    return invite_people(people=[(email, language) for email in emails], invited_by=invited_by, origin=origin)


def invite_people(*, people, invited_by, origin):
    """`invite` for (email, language) pairs, each invitation written in its own language."""
    report = Invited()
    by_key = {}
    for email, language in people:
        key = email_key(email)
        if key in by_key:
            report.repeated.append(email)
        else:
            by_key[key] = (email, language)
    keys = list(by_key)
    members, invited = set(), set()
    for part in chunks(keys):
        members.update(User.objects.filter(email_key__in=part).values_list("email_key", flat=True))
        invited.update(Invitation.objects.filter(live(), email_key__in=part).values_list("email_key", flat=True))
    expires_at = timezone.now() + links.invitation_max_age()
    rows = []
    for key, (email, language) in by_key.items():
        if key in members:
            report.members.append(email)
        elif key in invited:
            report.already_invited.append(email)
        else:
            report.invited.append(email)
            rows.append(
                Invitation(email=email, email_key=key, language=language, invited_by=invited_by, expires_at=expires_at)
            )
    with transaction.atomic():
        created = Invitation.objects.bulk_create(rows, batch_size=CHUNK)
        send_invitations(ids=[row.pk for row in created], origin=origin)
    return report


def revoke(*, invitations):
    """Withdraw invitations not yet used: their links stop working at once. Returns how many."""
    # The token's hash stays, so that the link is told it was withdrawn (not that it never existed).
    return invitations.filter(live()).update(revoked_at=timezone.now())


def resend(*, invitations, origin):
    """Mail a new link for each invitation not yet used (a revoked or expired one stands again, for the full
    time); the old link stops working at once. Returns how many."""
    ids = list(invitations.filter(used_at__isnull=True).values_list("pk", flat=True))
    now = timezone.now()
    with transaction.atomic():
        for part in chunks(ids):
            Invitation.objects.filter(pk__in=part).update(
                token_hash=None,
                sent_at=None,
                opened_at=None,
                revoked_at=None,
                created_at=now,
                expires_at=now + links.invitation_max_age(),
            )
        send_invitations(ids=ids, origin=origin)
    return len(ids)


def find(*, token):
    """The invitation behind a link's token, or None for a forged, cut or replaced link."""
    return Invitation.objects.filter(token_hash=links.token_hash(token)).first()


@transaction.atomic
def open_invitation(*, token):
    """Mark the invitation behind `token` opened, once: (invitation, True) for the opening that counts, else
    (invitation or None, False) with the row as it stands (used, revoked, expired, opened before)."""
    invitation = Invitation.objects.select_for_update().filter(token_hash=links.token_hash(token)).first()
    if invitation is None or invitation.status != "sent":
        return invitation, False
    invitation.opened_at = timezone.now()
    invitation.save(update_fields=["opened_at"])
    return invitation, True


def admits(invitation_id):
    """True when this invitation still lets a wizard in (opened, neither used, revoked nor expired)."""
    return bool(invitation_id) and (
        Invitation.objects.filter(live(), pk=invitation_id, expires_at__gt=timezone.now()).exists()
    )


def mark_used(*, invitation_id, user):
    """The invitation made this account: it works no more, and the list says who came."""
    Invitation.objects.filter(pk=invitation_id, used_at__isnull=True).update(used_at=timezone.now(), user=user)
