"""What the wizard mails: the confirmation at "Create account", and the link to finish later."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .. import links, services, timezones
from ..abuse import mail_limited
from ..identities import normalize_email
from ..mail import absolute_url

# Whom "Send it again" mails: set by the done page, by a login refused for an unconfirmed
# address, and by an expired confirmation link. {"user": id} or, for an address that was
# already taken in mandatory mode, {"user": id, "notice": True} (the owner gets the notice again).
RESEND_KEY = "confirm_email_for"


def confirm_url(request, user):
    return absolute_url(request, reverse("onboarding:confirm_email", args=[links.confirm_email_token(user)]))


def send_confirmation(request, user, *, notice=False):
    """Queue the confirmation (or, for a taken address, the owner's notice) and remember whom it went to.

    The notice is limited per address and per client like the mail people ask for: signing up again and
    again with someone's address must not flood their mailbox. Over the limit the visitor sees the same
    page and the same work is done; only the mail is not sent.
    """
    if notice:
        services.send_signup_attempt_notice(
            user=user,
            login_url=absolute_url(request, reverse("login")),
            reset_url=absolute_url(request, reverse("password_reset")),
            # Queued and dropped rather than skipped: a new signup queues a mail too, so the work stays alike.
            discard=mail_limited(request, group="signup-notice", address=user.email),
        )
    else:
        services.send_confirmation_email(user=user, confirm_url=confirm_url(request, user))
    remember_confirmation(request, user, notice=notice)


def remember_confirmation(request, user, *, notice=False):
    """Let "Send it again" on the next pages know whom the confirmation (or notice) went to."""
    request.session[RESEND_KEY] = {"user": user.pk, "notice": notice}


RESUME_SENT_KEY = "resume_link_sent"
# Put in the wizard's extra data by a resume link: the key (identities.email_key) of the address that
# link was mailed to, now proven.
PROVEN_EMAIL = "email_proven"


def email_finish_later_link(wizard):
    """Save the wizard as a draft and mail its link to the address from the account step (rate-limited)."""
    request = wizard.request
    email = normalize_email(wizard.get_form_initial("account").get("email", ""))
    if "account" not in wizard.extra("valid", []) or not email:
        messages.error(request, _("Enter your email address first, so that we know where to send the link."))
        return redirect(wizard.get_step_url("account"))
    if mail_limited(request, group="resume", address=email):
        messages.warning(
            request, _("We have sent several emails already. Wait a few minutes before asking for another one.")
        )
        return redirect(wizard.get_step_url(wizard.steps.current))
    wizard.remember(has_draft=True)  # "Create account" then removes the draft; opening the link ends this copy
    try:
        token, expires_at = services.save_draft(
            wizard_id=wizard.wizard_id, email=email, data=request.session[wizard.storage.prefix]
        )
    except services.SignupMoved:
        return wizard.signup_moved(request)
    services.send_resume_link(
        email=email,
        resume_url=absolute_url(request, reverse("onboarding:resume", args=[token])),
        expires_at=expires_at,
        language=get_language(),
        time_zone=timezones.zone_name(request),
    )
    request.session[RESUME_SENT_KEY] = {"email": email, "expires_at": expires_at.isoformat()}
    return redirect("onboarding:resume_link_sent")
