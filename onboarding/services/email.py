"""Email addresses: sending the confirmation link, confirming, and telling an owner about a signup with their address."""

from django.db import transaction
from django.utils import timezone

from .. import funnel
from ..mail import queue_mail
from ..models import User


def send_confirmation_email(*, user, confirm_url, language=None):
    """Queue the "confirm your email address" mail with its link."""
    queue_mail(
        "confirm_email",
        to=user.email,
        language=language or user.mail_language,
        # Neither name nor username: the address is not proven, and a stranger may have chosen both.
        context={"confirm_url": confirm_url},
    )


@transaction.atomic
def confirm_email(*, user_id, email):
    """Record that the address was confirmed; False when it already was (the user and address must still match)."""
    confirmed = User.objects.with_email(email).filter(pk=user_id, email_verified_at__isnull=True).update(
        email_verified_at=timezone.now()
    )
    if confirmed:
        transaction.on_commit(lambda: funnel.record("confirmed"))
    return bool(confirmed)


def send_signup_attempt_notice(*, user, login_url, reset_url, language=None):
    """Tell the owner of an address that someone tried to sign up with it (the visitor is told nothing)."""
    queue_mail(
        "signup_attempt",
        to=user.email,
        language=language or user.mail_language,
        context={
            "name": user.greeting_name,
            "username": user.get_username(),
            "login_url": login_url,
            "reset_url": reset_url,
        },
    )
