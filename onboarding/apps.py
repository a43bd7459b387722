from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnboardingConfig(AppConfig):
    name = "onboarding"
    verbose_name = _("Sign-up")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from onboarding.account.reauth import confirmed_at_login
        from onboarding.security import sessions
        from onboarding.timezones import remember_profile_zone

        user_logged_in.connect(remember_profile_zone, dispatch_uid="onboarding-time-zone")
        user_logged_in.connect(confirmed_at_login, dispatch_uid="onboarding-confirmed-at-login")
        # "Where you're logged in" and the security log (onboarding/security/).
        user_logged_in.connect(sessions.on_login, dispatch_uid="onboarding-account-session")
        user_logged_out.connect(sessions.on_logout, dispatch_uid="onboarding-account-session-end")
