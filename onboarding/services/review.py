"""Deciding on signups: approve or reject, log each decision, email the people it activates or rejects."""

from typing import NamedTuple

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from ..mail import queue_mail_to_users
from ..models import Profile, ReviewStatus, User


REVIEW_PERMISSION = "onboarding.review_signup"


class Review(NamedTuple):
    changed: list  # the profiles whose status changed


def review_signups(*, users, status, reviewer, note="", login_url="", notify=True):
    """Approve or reject signups, log each change, and email the people whose accounts this activated, or
    (rejecting) the people rejected; `notify=False` emails nobody.

    Approving activates the account; rejecting deactivates it. Users already in `status`, and
    users without a profile (not signups), are left alone.
    """
    if status not in (ReviewStatus.APPROVED, ReviewStatus.REJECTED):
        raise ValueError(f"A review decides approved or rejected, not {status!r}.")
    if not reviewer.has_perm(REVIEW_PERMISSION):
        raise PermissionDenied("Reviewing signups needs the onboarding.review_signup permission.")
    now = timezone.now()
    make_active = status == ReviewStatus.APPROVED
    activated = []
    with transaction.atomic():
        # Locked and re-read inside the transaction: two reviewers deciding at once
        # change (and email) each person once.
        profiles = list(
            Profile.objects.select_for_update()
            .select_related("user")
            .filter(user__in=users)
            .exclude(review_status=status)
            .order_by("pk")
        )
        log_entries = []
        for profile in profiles:
            user = profile.user
            log_entries.append(log_entry(reviewer, user, profile.review_status, status, note))
            profile.review_status = status
            profile.reviewed_by = reviewer
            profile.reviewed_at = now
            profile.review_note = note
            if make_active and not user.is_active:
                activated.append(user)
            user.is_active = make_active
        Profile.objects.bulk_update(profiles, ["review_status", "reviewed_by", "reviewed_at", "review_note"])
        User.objects.bulk_update([profile.user for profile in profiles], ["is_active"])
        LogEntry.objects.bulk_create(log_entries)
        if notify and activated:
            send_approval_emails(users=activated, login_url=login_url)
        if notify and status == ReviewStatus.REJECTED and profiles:
            send_rejection_emails(users=[profile.user for profile in profiles])
    return Review(changed=profiles)


def log_entry(reviewer, user, old_status, new_status, note):
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
        object_id=str(user.pk),
        object_repr=str(user)[:200],
        action_flag=CHANGE,
        change_message=message,
    )


def send_approval_emails(*, users, login_url=""):
    """Queue "your account is ready" to each person, in their language; sent by the worker, retried there."""
    queue_mail_to_users("approved", user_ids=[user.pk for user in users], context={"login_url": login_url})


def send_rejection_emails(*, users):
    """Queue "your signup was not approved" to each person, in their language, naming whom to write to.

    The reviewer's note is for staff and stays out of it.
    """
    queue_mail_to_users(
        "rejected", user_ids=[user.pk for user in users], context={"contact": settings.SIGNUP_CONTACT_EMAIL}
    )
