"""Signups carried to another browser: saving the draft behind a "finish later" link, opening it, clearing it."""

from django.db import transaction
from django.utils import timezone, translation

from .. import links, timezones
from ..mail import queue_mail
from ..models import SignupDraft


@transaction.atomic
def save_draft(*, wizard_id, email, data):
    """Keep the wizard's answers for 7 days behind a new token; returns (token, expires_at).

    One draft per wizard: a newer link replaces the older one's token, so the older link stops working.
    """
    token, token_hash = links.new_resume_token()
    expires_at = timezone.now() + links.RESUME_MAX_AGE
    SignupDraft.objects.update_or_create(
        wizard_id=wizard_id, defaults={"token_hash": token_hash, "email": email, "data": data, "expires_at": expires_at}
    )
    return token, expires_at


def find_draft(*, token):
    """The draft behind this token, expired or not; None for a used, replaced or unknown token."""
    return SignupDraft.objects.filter(token_hash=links.resume_token_hash(token)).first()


def discard_draft(*, wizard_id):
    """Forget the draft of a finished signup, so its link stops working."""
    SignupDraft.objects.filter(wizard_id=wizard_id).delete()


def clear_expired_drafts():
    """Delete drafts past their expiry; returns how many."""
    deleted, _ = SignupDraft.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


def send_resume_link(*, email, resume_url, expires_at, language, time_zone):
    """Queue the mail carrying the "finish later" link, saying until when it works in the person's zone."""
    with translation.override(language):
        expires = timezones.format_datetime(expires_at, time_zone)
    queue_mail("resume", to=email, language=language, context={"resume_url": resume_url, "expires": expires})
