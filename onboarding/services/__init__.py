"""Every write to accounts goes through here: one module per flow, each function keyword-only."""

from .account import (  # noqa: F401
    change_email,
    change_password,
    delete_account,
    email_change_problem,
    find_email_change,
    keep_decisions_of,
    request_email_change,
    send_email_in_use_notice,
    start_email_change,
    update_details,
)
from .accounts import create_account, reserve_username  # noqa: F401
from .drafts import (  # noqa: F401
    SignupMoved,
    clear_expired_drafts,
    create_account_from_signup,
    discard_draft,
    find_draft,
    has_moved,
    move_draft,
    save_draft,
    send_resume_link,
)
from .email import confirm_email, send_confirmation_email, send_signup_attempt_notice  # noqa: F401
from .passwords import reset_password, send_password_reset  # noqa: F401
from .review import REVIEW_PERMISSION, Review, review_signups, send_approval_emails  # noqa: F401
