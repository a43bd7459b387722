"""Forgotten passwords: mailing the reset link, and setting the new password."""

from django.db import transaction
from django.utils import timezone

from onboarding import funnel, links
from onboarding.mail.queue import queue_mail
from onboarding.security.sessions import end_sessions, forget_sessions


def send_password_reset(*, user, reset_url, discard=False):
    """Queue the mail with the link that lets this user choose a new password.

    With `discard` (a stand-in user for an address without an account), queue it just the same
    but send nothing: the answer then takes as long whether or not the address is registered.
    """
    queue_mail(
        "password_reset",
        to=user.email,
        language=user.mail_language,
        context={
            "name": user.greeting_name,
            "username": user.get_username(),
            "reset_url": reset_url,
            "hours": links.lifetimes()["password_reset_hours"],
        },
        discard=discard,
    )


@transaction.atomic
def reset_password(*, user, password, keep_session=None):
    """Set the new password, end every session of the account, and count the address as confirmed.

    Only someone who read the mail at that address could get here. `keep_session`: the key of the session the
    reset runs in, left in its store for the rest of the request; if it was logged in to this account, Django
    logs it out at its next request (the password it checked has changed), and it is no longer listed.
    """
    user.set_password(password)
    fields = ["password"]
    if not user.email_verified_at:
        user.email_verified_at = timezone.now()
        fields.append("email_verified_at")
        transaction.on_commit(lambda: funnel.record("confirmed"))
    user.save(update_fields=fields)
    end_sessions(user=user, keep=keep_session)
    forget_sessions(user=user)
    return user
