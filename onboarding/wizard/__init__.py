"""The signup wizard: the view, where it keeps its answers, and how its forms are rendered."""

from .rendering import forget_blank_forms  # noqa: F401
from .storage import WizardStorage  # noqa: F401
from .view import SECRET_FIELDS, STEP_TITLES, SUCCESS_KEYS, SignupWizard, has_answers  # noqa: F401
