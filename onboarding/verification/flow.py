"""Confirming an address, the request-level steps: build the link, queue the mail, remember whom it went to."""

from django.urls import reverse

from onboarding import links
from onboarding.limits import mail_limited
from onboarding.mail.queue import absolute_url
from onboarding.session_keys import RESEND_KEY
from onboarding.verification.services import send_confirmation_email, send_signup_attempt_notice


def confirm_url(request, user):
    return absolute_url(request, reverse("onboarding:confirm_email", args=[links.confirm_email_token(user)]))


def send_confirmation(request, user, *, notice=False):
    """Queue the confirmation (or, for a taken address, the owner's notice) and remember whom it went to.

    The notice is limited per address and per client like the mail people ask for: signing up again and
    again with someone's address must not flood their mailbox. Over the limit the visitor sees the same
    page and the same work is done; only the mail is not sent.
    """
    if notice:
        send_signup_attempt_notice(
            user=user,
            login_url=absolute_url(request, reverse("login")),
            reset_url=absolute_url(request, reverse("password_reset")),
            # Queued and dropped rather than skipped: a new signup queues a mail too, so the work stays alike.
            discard=mail_limited(request, group="signup-notice", address=user.email),
        )
    else:
        send_confirmation_email(user=user, confirm_url=confirm_url(request, user))
    remember_confirmation(request, user, notice=notice)


def remember_confirmation(request, user, *, notice=False):
    """Let "Send it again" on the next pages know whom the confirmation (or notice) went to."""
    request.session[RESEND_KEY] = {"user": user.pk, "notice": notice}
