"""Signups at a trusted domain (SIGNUP_AUTO_APPROVE_DOMAINS) skip review: approved when the account is made,
and logged as a decision is, so the user's history says who decided (the site's setting) and why."""

import logging

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from onboarding import funnel
from onboarding.access.domains import auto_approved, domain_of
from onboarding.models import ReviewStatus

logger = logging.getLogger(__name__)


def approve_if_trusted(user, profile):
    """Before the first save: approve and activate a signup whose address is at a trusted domain; returns
    True when it did (then `log_approval` once the rows exist)."""
    if not auto_approved(user.email):
        return False
    user.is_active = True
    profile.review_status = ReviewStatus.APPROVED
    profile.reviewed_at = timezone.now()
    profile.review_note = approval_message(user.email)
    return True


def approval_message(email):
    # In the site's language, like the review actions' log entries.
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(
            "Approved automatically at signup: addresses at %(domain)s skip review (SIGNUP_AUTO_APPROVE_DOMAINS)."
        ) % {"domain": domain_of(email)}


def log_approval(user):
    """The decision in the user's admin history, as review_signups logs one (there under the account itself:
    no reviewer made it)."""
    LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(type(user), for_concrete_model=False),
        object_id=str(user.pk),
        object_repr=user.get_username()[:200],
        action_flag=CHANGE,
        change_message=approval_message(user.email),
    )
    logger.info("Signup id=%s approved automatically: its address is at a trusted domain.", user.pk)
    transaction.on_commit(lambda: funnel.record(ReviewStatus.APPROVED, lang=""))
