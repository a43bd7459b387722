"""URLs of the signup and the account: landing page, the wizard's steps, the done page, the links we email,
the account home."""

from django.urls import path, re_path

from onboarding.access.gate import admit_by_mode
from onboarding.access.views import InvitationView, WaitlistConfirmView, WaitlistSentView, WaitlistView
from onboarding.account.email_change import ChangeEmailView, ConfirmEmailChangeView
from onboarding.account.views import (
    AccountDeletedView,
    AccountView,
    ChangePasswordView,
    ConfirmItsYouView,
    DeleteAccountView,
    DownloadDataView,
    EditDetailsView,
)
from onboarding.limits import guard_passkey_login, guard_password_check, guard_signup
from onboarding.pages.views import LandingView, LegalPageView
from onboarding.passkeys.views import LoginOptionsView, LoginWithPasskeyView
from onboarding.signup.pages import AlreadyCreatedView, DoneView, StartOverView
from onboarding.signup.passkey import SignupPasskeyOptionsView
from onboarding.signup.resume import ResumeLinkSentView, ResumeSignupView
from onboarding.signup.view import SignupWizard
from onboarding.verification.views import (
    ConfirmationSentView,
    ConfirmEmailView,
    EmailConfirmedView,
    ResendConfirmationView,
)

app_name = "onboarding"

# Limits on requests are applied here, around the views (see onboarding/limits.py), and so is SIGNUP_MODE
# (onboarding/access/gate.py: who may sign up now).
signup_wizard = guard_signup(admit_by_mode(SignupWizard.as_view()))

urlpatterns = [
    path("", LandingView.as_view(), name="landing"),
    path("terms/", LegalPageView.as_view(document="terms"), name="terms"),
    path("privacy/", LegalPageView.as_view(document="privacy"), name="privacy"),
    path("signup/", signup_wizard, name="signup"),
    path("signup/start-over/", StartOverView.as_view(), name="start_over"),
    path("signup/done/", DoneView.as_view(), name="done"),
    path("signup/already-created/", AlreadyCreatedView.as_view(), name="already_created"),
    path("account/", AccountView.as_view(), name="account"),
    path("account/confirm/", guard_password_check(ConfirmItsYouView.as_view()), name="confirm_its_you"),
    path("account/details/", EditDetailsView.as_view(), name="account_details"),
    path("account/password/", guard_password_check(ChangePasswordView.as_view()), name="account_password"),
    path("account/delete/", guard_password_check(DeleteAccountView.as_view()), name="account_delete"),
    path("account/deleted/", AccountDeletedView.as_view(), name="account_deleted"),
    path("account/data/", DownloadDataView.as_view(), name="account_data"),
    path("account/email/", guard_password_check(ChangeEmailView.as_view()), name="account_email"),
    path("account/email/confirm/<str:token>/", ConfirmEmailChangeView.as_view(), name="confirm_email_change"),
    re_path(r"^signup/(?P<step>account|profile|confirm)/$", signup_wizard, name="signup_step"),
    path(
        "signup/passkey/options/",
        guard_signup(admit_by_mode(SignupPasskeyOptionsView.as_view())),
        name="signup_passkey_options",
    ),
    path(
        "login/passkey/options/",
        guard_passkey_login(LoginOptionsView.as_view(), group="passkey-options-ip"),
        name="passkey_login_options",
    ),
    path("login/passkey/", guard_passkey_login(LoginWithPasskeyView.as_view()), name="passkey_login"),
    path("signup/resume/<str:token>/", ResumeSignupView.as_view(), name="resume"),
    path("signup/invitation/<str:token>/", InvitationView.as_view(), name="invitation"),
    path("signup/waitlist/", WaitlistView.as_view(), name="waitlist"),
    path("signup/waitlist/sent/", WaitlistSentView.as_view(), name="waitlist_sent"),
    path("signup/waitlist/confirm/<str:token>/", WaitlistConfirmView.as_view(), name="waitlist_confirm"),
    path("signup/link-sent/", ResumeLinkSentView.as_view(), name="resume_link_sent"),
    path("email/confirm/<str:token>/", ConfirmEmailView.as_view(), name="confirm_email"),
    path("email/confirmed/", EmailConfirmedView.as_view(), name="email_confirmed"),
    path("email/confirm-again/", ResendConfirmationView.as_view(), name="resend_confirmation"),
    path("email/confirm-again/sent/", ConfirmationSentView.as_view(), name="confirmation_sent"),
]
