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
from onboarding.limits import guard_passkey_login, guard_password_check, guard_signup, guard_two_step
from onboarding.pages.views import LandingView, LegalPageView
from onboarding.passkeys.login import LoginOptionsView, LoginWithPasskeyView
from onboarding.passkeys.views import AddPasskeyView, ConfirmWithPasskeyView, RemovePasskeyView, RenamePasskeyView
from onboarding.security.views import SessionsView
from onboarding.signup.pages import AlreadyCreatedView, DoneView, StartOverView
from onboarding.signup.passkey import SignupPasskeyOptionsView
from onboarding.signup.resume import ResumeLinkSentView, ResumeSignupView
from onboarding.signup.view import SignupWizard
from onboarding.twostep.views import (
    DownloadRecoveryCodesView,
    NewRecoveryCodesView,
    RecoveryCodesView,
    TurnOffView,
    TurnOnView,
)
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
    # A passkey cannot be guessed, and each try needs a new challenge: no guessing limit.
    path("account/confirm/passkey/", ConfirmWithPasskeyView.as_view(), name="confirm_with_passkey"),
    path("account/passkeys/add/", AddPasskeyView.as_view(), name="passkey_add"),
    path("account/passkeys/<int:pk>/rename/", RenamePasskeyView.as_view(), name="passkey_rename"),
    path("account/passkeys/<int:pk>/remove/", RemovePasskeyView.as_view(), name="passkey_remove"),
    path("account/details/", EditDetailsView.as_view(), name="account_details"),
    # "Confirm it's you" checks the password for these; a new password still costs a hash, so it stays limited.
    path("account/password/", guard_password_check(ChangePasswordView.as_view()), name="account_password"),
    path("account/delete/", DeleteAccountView.as_view(), name="account_delete"),
    path("account/deleted/", AccountDeletedView.as_view(), name="account_deleted"),
    path("account/data/", DownloadDataView.as_view(), name="account_data"),
    path("account/sessions/", SessionsView.as_view(), name="account_sessions"),
    path("account/email/", ChangeEmailView.as_view(), name="account_email"),
    path("account/email/confirm/<str:token>/", ConfirmEmailChangeView.as_view(), name="confirm_email_change"),
    # Two-step verification (onboarding/twostep/): a code typed to turn it on is limited like one at login.
    path("account/two-step/turn-on/", guard_two_step(TurnOnView.as_view()), name="two_step_turn_on"),
    path("account/two-step/recovery-codes/", RecoveryCodesView.as_view(), name="two_step_codes"),
    path("account/two-step/recovery-codes.txt", DownloadRecoveryCodesView.as_view(), name="two_step_codes_download"),
    path("account/two-step/new-recovery-codes/", NewRecoveryCodesView.as_view(), name="two_step_new_codes"),
    path("account/two-step/turn-off/", TurnOffView.as_view(), name="two_step_turn_off"),
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
