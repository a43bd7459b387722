"""The app's forms, one module per flow."""

from .login import LoginForm  # noqa: F401
from .passwords import NewPasswordForm, PasswordResetRequestForm  # noqa: F401
from .signup import AccountForm, ConfirmForm, ProfileForm, StepForm  # noqa: F401
