"""The app's views, one module per flow; settings and URLconfs name them through this package."""

from .account import (  # noqa: F401
    AccountDeletedView,
    AccountView,
    ChangePasswordView,
    DeleteAccountView,
    DownloadDataView,
    EditDetailsView,
    LogoutView,
)
from .account_email import ChangeEmailView, ConfirmEmailChangeView  # noqa: F401
from .email_links import (  # noqa: F401
    ConfirmationSentView,
    ConfirmEmailView,
    EmailConfirmedView,
    ResendConfirmationView,
)
from .errors import (  # noqa: F401
    bad_request,
    csrf_failure,
    healthz,
    healthz_mail,
    page_not_found,
    permission_denied,
    server_error,
    service_unavailable,
    too_many_requests,
)
from .legal import LegalPageView  # noqa: F401
from .login import LoginView  # noqa: F401
from .pages import AlreadyCreatedView, DoneView, LandingView, StartOverView  # noqa: F401
from .passwords import PasswordResetConfirmView, PasswordResetView  # noqa: F401
from .resume import ResumeLinkSentView, ResumeSignupView  # noqa: F401
