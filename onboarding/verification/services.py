"""Email addresses: sending the confirmation link, confirming, and telling an owner of a signup with their address."""

from django.db import transaction
from django.utils import timezone

from onboarding import funnel, links
from onboarding.mail.queue import queue_mail
from onboarding.models import User


def send_confirmation_email(*, user, confirm_url, language=None):
    """Queue the "confirm your email address" mail with its link."""
    queue_mail(
        "confirm_email",
        to=user.email,
        language=language or user.mail_language,
        # Neither name nor username: the address is not proven, and a stranger may have chosen both.
        # The account's id (not shown): should the server refuse the address, the signup's risk says so.
        context={"confirm_url": confirm_url, "days": links.lifetimes()["confirm_email_days"], "user_id": user.pk},
    )


def confirmation_refused(mail):
    """The mail server refused a confirmation mail for good (a bounce at sending): one more risk reason."""
    from onboarding.review.risk import add_reason

    user_id = mail.get("context", {}).get("user_id")
    if user_id:
        add_reason(user_id=user_id, code="confirmation_bounced")


@transaction.atomic
def confirm_email(*, user_id, fingerprint):
    """Record that the address was confirmed; False when it already was, or when the account's password or
    address no longer match the link's fingerprint (checked again under the row's lock)."""
    user = User.objects.select_for_update().filter(pk=user_id, email_verified_at__isnull=True).first()
    if user is None or not links.fingerprint_matches(user, user.email, fingerprint):
        return False
    User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now())
    transaction.on_commit(lambda: funnel.record("confirmed"))
    return True


def send_signup_attempt_notice(*, user, login_url, reset_url, language=None, discard=False):
    """Tell the owner of an address that someone tried to sign up with it (the visitor is told nothing);
    with `discard` (over the address's limit), queue it alike but send nothing."""
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
        discard=discard,
    )
