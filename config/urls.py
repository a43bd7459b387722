"""Top-level URLs: the signup app, the auth views, the admin, the language switch and the health check."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from onboarding.account.views import LogoutView
from onboarding.infra.health import healthz, healthz_mail
from onboarding.limits import (
    guard_login,
    guard_mail_requests,
    guard_new_password,
    guard_password_check,
    guard_two_step,
)
from onboarding.login.reset import PasswordResetConfirmView, PasswordResetView
from onboarding.login.views import LoginView
from onboarding.twostep.views import CodeLoginView, RecoveryCodeLoginView, admin_login

# Every limit on requests is one of limits.guard_*, wrapped around its view here or in onboarding/urls.py.
urlpatterns = [
    path("", include("onboarding.urls")),
    path("login/", guard_login(LoginView.as_view()), name="login"),
    # After the right password, an account with two-step verification on owes a code (onboarding/twostep/).
    path("login/code/", guard_two_step(CodeLoginView.as_view()), name="login_code"),
    path("login/recovery-code/", guard_two_step(RecoveryCodeLoginView.as_view()), name="login_recovery_code"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("password-reset/", guard_mail_requests("password-reset")(PasswordResetView.as_view()), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        guard_new_password(PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin's own login, with the same limits and the same second step, matched before the admin's URLs.
    path("admin/login/", guard_login(admin_login)),
    # It checks the current password: limited like the account's own forms.
    path(
        "admin/password_change/",
        guard_password_check(admin.site.admin_view(admin.site.password_change, cacheable=True)),
    ),
    path("admin/", admin.site.urls),
    # For load balancers; exempt from the HTTPS redirect (SECURE_REDIRECT_EXEMPT).
    path("healthz", healthz, name="healthz"),
    # For a monitor, not the load balancer: is mail leaving? (503 when no worker or mail waits too long)
    path("healthz/mail", healthz_mail, name="healthz_mail"),
]

handler400 = "onboarding.pages.errors.bad_request"
handler403 = "onboarding.pages.errors.permission_denied"
handler404 = "onboarding.pages.errors.page_not_found"
handler500 = "onboarding.pages.errors.server_error"
