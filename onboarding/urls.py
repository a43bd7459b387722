"""URLs of the signup and the account: landing page, the wizard's steps, the done page, the links we email,
the account home."""

from django.urls import path, re_path

from . import views
from .wizard import SignupWizard

app_name = "onboarding"

signup_wizard = SignupWizard.as_view(url_name="onboarding:signup_step")

urlpatterns = [
    path("", views.LandingView.as_view(), name="landing"),
    path("terms/", views.LegalPageView.as_view(document="terms"), name="terms"),
    path("privacy/", views.LegalPageView.as_view(document="privacy"), name="privacy"),
    path("signup/", signup_wizard, name="signup"),
    path("signup/start-over/", views.StartOverView.as_view(), name="start_over"),
    path("signup/done/", views.DoneView.as_view(), name="done"),
    path("signup/already-created/", views.AlreadyCreatedView.as_view(), name="already_created"),
    path("account/", views.AccountView.as_view(), name="account"),
    path("account/details/", views.EditDetailsView.as_view(), name="account_details"),
    path("account/password/", views.ChangePasswordView.as_view(), name="account_password"),
    path("account/delete/", views.DeleteAccountView.as_view(), name="account_delete"),
    path("account/deleted/", views.AccountDeletedView.as_view(), name="account_deleted"),
    path("account/data/", views.DownloadDataView.as_view(), name="account_data"),
    path("account/email/", views.ChangeEmailView.as_view(), name="account_email"),
    path("account/email/confirm/<str:token>/", views.ConfirmEmailChangeView.as_view(), name="confirm_email_change"),
    re_path(r"^signup/(?P<step>account|profile|confirm)/$", signup_wizard, name="signup_step"),
    path("signup/resume/<str:token>/", views.ResumeSignupView.as_view(), name="resume"),
    path("signup/link-sent/", views.ResumeLinkSentView.as_view(), name="resume_link_sent"),
    path("email/confirm/<str:token>/", views.ConfirmEmailView.as_view(), name="confirm_email"),
    path("email/confirmed/", views.EmailConfirmedView.as_view(), name="email_confirmed"),
    path("email/confirm-again/", views.ResendConfirmationView.as_view(), name="resend_confirmation"),
    path("email/confirm-again/sent/", views.ConfirmationSentView.as_view(), name="confirmation_sent"),
]
