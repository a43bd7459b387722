"""Deciding on signups: approve or reject, log each decision, email the people it activates or rejects."""

from typing import NamedTuple

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext

from onboarding import funnel
from onboarding.mail.queue import queue_mail_to_users
from onboarding.models import Profile, ReviewStatus, User

REVIEW_PERMISSION = "onboarding.review_signup"


class Review(NamedTuple):
    changed: list  # the ids of the profiles whose status changed
    skipped: list = []  # staff and superusers among `users`: never reviewed, so never deactivated


def review_signups(*, users, status, reviewer, note="", login_url="", notify=True):
    """Approve or reject signups, log each change, and email the people whose accounts this activated, or
    (rejecting) the people rejected; `notify=False` emails nobody.

    Approving activates the account; rejecting deactivates it. Users already in `status`, users
    without a profile (not signups), and staff and superusers (a reviewer must never lock out an
    administrator) are left alone; the staff among them who are signups come back as `skipped`.
    """
    if status not in (ReviewStatus.APPROVED, ReviewStatus.REJECTED):
        raise ValueError(f"A review decides approved or rejected, not {status!r}.")
    if not reviewer.has_perm(REVIEW_PERMISSION):
        raise PermissionDenied("Reviewing signups needs the onboarding.review_signup permission.")
    now = timezone.now()
    make_active = status == ReviewStatus.APPROVED
    with transaction.atomic():
        # Locked and re-read inside the transaction: two reviewers deciding at once
        # change (and email) each person once. Plain rows, not objects: 10,000 at a time stay quick.
        rows = list(
            Profile.objects.select_for_update()
            .filter(user__in=users, user__is_staff=False, user__is_superuser=False)
            .exclude(review_status=status)
            .order_by("pk")
            .values_list("pk", "user_id", "user__username", "user__is_active", "review_status")
        )
        for chunk in chunks(rows):
            # Everyone decided together gets the same values: one UPDATE per table and chunk.
            Profile.objects.filter(pk__in=[row[0] for row in chunk]).update(
                review_status=status, reviewed_by=reviewer, reviewed_at=now, review_note=note
            )
            User.objects.filter(pk__in=[row[1] for row in chunk]).update(is_active=make_active)
        LogEntry.objects.bulk_create(
            [log_entry(reviewer, user_id, username, old, status, note) for _, user_id, username, _, old in rows],
            batch_size=CHUNK,
        )
        activated = [user_id for _, user_id, _, was_active, _ in rows if make_active and not was_active]
        if notify and activated:
            send_approval_emails(user_ids=activated, login_url=login_url)
        if notify and status == ReviewStatus.REJECTED and rows:
            send_rejection_emails(user_ids=[user_id for _, user_id, _, _, _ in rows])
    if rows:
        funnel.record(status, count=len(rows), lang="")
    selected = users.values("pk") if isinstance(users, QuerySet) else [getattr(user, "pk", user) for user in users]
    staff = Q(is_staff=True) | Q(is_superuser=True)
    skipped = list(User.objects.filter(staff, pk__in=selected, profile__isnull=False))
    return Review(changed=[row[0] for row in rows], skipped=skipped)


# Rows per UPDATE: within every database's limit on query parameters.
CHUNK = 900


def chunks(rows):
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def log_entry(reviewer, user_id, username, old_status, new_status, note):
    # Kept in the site's language, like the admin's own change messages.
    with translation.override(settings.LANGUAGE_CODE):
        message = gettext("Review status changed from %(old)s to %(new)s.") % {
            "old": ReviewStatus(old_status).label,
            "new": ReviewStatus(new_status).label,
        }
        if note:
            message += " " + gettext("Note: %(note)s") % {"note": note}
    return LogEntry(
        user=reviewer,
        content_type=ContentType.objects.get_for_model(User, for_concrete_model=False),
        object_id=str(user_id),
        object_repr=username[:200],
        action_flag=CHANGE,
        change_message=message,
    )


def send_approval_emails(*, user_ids, login_url=""):
    """Queue "your account is ready" to each person, in their language; sent by the worker, retried there."""
    queue_mail_to_users("approved", user_ids=user_ids, context={"login_url": login_url})


def send_rejection_emails(*, user_ids):
    """Queue "your signup was not approved" to each person, in their language, naming whom to write to.

    The reviewer's note is for staff and stays out of it.
    """
    queue_mail_to_users("rejected", user_ids=user_ids, context={"contact": settings.SIGNUP_CONTACT_EMAIL})
