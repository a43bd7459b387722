"""What the wizard mails: the confirmation at "Create account", and the link to finish later."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .. import links, services, timezones
from ..abuse import mail_limited
from ..mail import absolute_url

# Whom "Send it again" mails: set by the done page, by a login refused for an unconfirmed
# address, and by an expired confirmation link. {"user": id} or, for an address that was
# already taken in mandatory mode, {"user": id, "notice": True} (the owner gets the notice again).
RESEND_KEY = "confirm_email_for"


def confirm_url(request, user):
    return absolute_url(request, reverse("onboarding:confirm_email", args=[links.confirm_email_token(user)]))


def send_confirmation(request, user, *, notice=False):
    """Queue the confirmation (or, for a taken address, the owner's notice) and remember whom it went to."""
    if notice:
        services.send_signup_attempt_notice(
            user=user,
            login_url=absolute_url(request, reverse("login")),
            reset_url=absolute_url(request, reverse("password_reset")),
        )
    else:
        services.send_confirmation_email(user=user, confirm_url=confirm_url(request, user))
    request.session[RESEND_KEY] = {"user": user.pk, "notice": notice}


RESUME_SENT_KEY = "resume_link_sent"
# Put in the wizard's extra data by a resume link: the address that link was mailed to, now proven.
PROVEN_EMAIL = "email_proven"


def email_finish_later_link(wizard):
    """Save the wizard as a draft and mail its link to the address from the account step (rate-limited)."""
    request = wizard.request
    email = wizard.get_form_initial("account").get("email", "")
    if "account" not in wizard.extra("valid", []) or not email:
        messages.error(request, _("Enter your email address first, so that we know where to send the link."))
        return redirect(wizard.get_step_url("account"))
    if mail_limited(request, group="resume", address=email):
        messages.warning(
            request, _("We have sent several emails already. Wait a few minutes before asking for another one.")
        )
        return redirect(wizard.get_step_url(wizard.steps.current))
    wizard.remember(has_draft=True)  # in the session and in the draft: "Create account" then removes the draft
    token, expires_at = services.save_draft(
        wizard_id=wizard.wizard_id, email=email, data=request.session[wizard.storage.prefix]
    )
    services.send_resume_link(
        email=email,
        resume_url=absolute_url(request, reverse("onboarding:resume", args=[token])),
        expires_at=expires_at,
        language=get_language(),
        time_zone=timezones.zone_name(request),
    )
    request.session[RESUME_SENT_KEY] = {"email": email, "expires_at": expires_at.isoformat()}
    return redirect("onboarding:resume_link_sent")
