"""Changing the account's address, the request-level steps: spend the quota, record the request, build its
link and queue the mail (or, for an address another account has, its owner's notice)."""

from onboarding import links
from onboarding.account.services import request_email_change, send_email_in_use_notice, start_email_change
from onboarding.limits import mail_limited


def ask_to_change_email(request, *, user, email, owner=None):
    """Mail the link that moves `user` to `email`; False (nothing recorded or sent) over the mail quota.

    `owner`: the account that has `email` already (mandatory verification mode, where the person asking is
    not told): a request is recorded just the same, and the owner gets a notice instead of a link.
    """
    if mail_limited(request, group="change-email", address=email):
        return False
    # A request either way, though a taken address's link is never sent: a newer request voids the
    # older link alike, so that cannot tell whether the address had an account.
    token = start_email_change(user=user, new_email=email)
    if owner is not None:
        send_email_in_use_notice(
            owner=owner, login_url=links.login_url(request), reset_url=links.forgot_password_url(request)
        )
    else:
        request_email_change(user=user, new_email=email, confirm_url=links.change_email_url(request, token))
    return True
