"""Confirming an address, the request-level steps: build the link, spend the quota, queue the mail, remember
whom it went to.

Every path that asks someone to confirm their address goes through here: the signup ("Create account"),
"Send it again", a login refused for an unconfirmed address, an expired link, the account home. Only
`remember_confirmation` writes the session's RESEND_KEY and only `confirmation_target` reads it.
"""

from onboarding import links
from onboarding.limits import mail_limited
from onboarding.models import User
from onboarding.session_keys import RESEND_KEY
from onboarding.verification.services import send_confirmation_email, send_signup_attempt_notice

confirm_url = links.confirm_email_url  # the name the signup calls it by


def send_confirmation(request, user, *, notice=False):
    """Queue the confirmation (or, for a taken address, the owner's notice) and remember whom it went to.

    The notice is limited per address and per client like the mail people ask for: signing up again and
    again with someone's address must not flood their mailbox. Over the limit the visitor sees the same
    page and the same work is done; only the mail is not sent.
    """
    if notice:
        send_signup_attempt_notice(
            user=user,
            login_url=links.login_url(request),
            reset_url=links.forgot_password_url(request),
            # Queued and dropped rather than skipped: a new signup queues a mail too, so the work stays alike.
            discard=mail_limited(request, group="signup-notice", address=user.email),
        )
    else:
        send_confirmation_email(user=user, confirm_url=links.confirm_email_url(request, user))
    remember_confirmation(request, user, notice=notice)


def remember_confirmation(request, user, *, notice=False):
    """Let "Send it again" on the next pages know whom the confirmation (or, `notice`, the owner's notice
    about a signup with their address) goes to."""
    request.session[RESEND_KEY] = {"user": user.pk, "notice": notice}


def confirmation_target(request):
    """(user, notice) that "Send it again" would mail, or (None, False) when nothing waits to be confirmed."""
    target = request.session.get(RESEND_KEY) or {}
    notice = bool(target.get("notice"))
    user = User.objects.select_related("profile").filter(pk=target.get("user")).first()
    if user is None or (user.email_verified_at and not notice):
        return None, False
    return user, notice


def resend_confirmation(request):
    """Send the confirmation (or notice) again to whom this browser last dealt with: "sent", "limited" (over
    the mail quota for this client or address: nothing sent), or "nothing" (no address waits here)."""
    user, notice = confirmation_target(request)
    if user is None:
        return "nothing"
    if mail_limited(request, group="confirm-email", address=user.email):
        return "limited"
    send_confirmation(request, user, notice=notice)
    return "sent"
