"""Every write to accounts goes through here: one module per flow, each function keyword-only."""

from .account import change_password, delete_account, update_details  # noqa: F401
from .accounts import create_account  # noqa: F401
from .review import REVIEW_PERMISSION, Review, review_signups, send_approval_emails  # noqa: F401
