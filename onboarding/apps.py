from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnboardingConfig(AppConfig):
    name = "onboarding"
    verbose_name = _("Sign-up")

    def ready(self):
        from . import mail  # noqa: F401  (connects the signal that blanks sent mail's task rows)
        from . import middleware  # noqa: F401  (connects the signal that starts a staff session's idle clock)
