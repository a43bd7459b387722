"""The account home: see and change what we hold, change the password, download or delete it all; logging out.

Changing the email address has its own module, account_email."""

import json

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, TemplateView, View

from onboarding import timezones
from onboarding.account.forms import ChangePasswordForm, DeleteAccountForm, DetailsForm
from onboarding.account.reauth import (
    CONFIRM_INTRO,
    CONFIRM_TITLE,
    ConfirmItsYouRequired,
    ConfirmPasswordForm,
    confirmed_response,
)
from onboarding.account.services import change_password, delete_account, update_details
from onboarding.models import ReviewStatus
from onboarding.security import events
from onboarding.session_keys import DELETED_KEY, PENDING_EMAIL_KEY
from onboarding.verification.flow import remember_confirmation

ACCOUNT_URL = reverse_lazy("onboarding:account")


def review_in_words(profile):
    """What the review status means for the person, or None where no review applies (no signup profile)."""
    if profile is None:
        return None
    if profile.review_status == ReviewStatus.APPROVED:
        return _("Approved: your signup has been checked and accepted.")
    if profile.review_status == ReviewStatus.REJECTED:
        return _("Not approved.")
    return _(
        "Waiting for review: our team looks at each new signup, to keep out spam and fake accounts. "
        "You can use your account in the meantime, and we will email you if it is not approved."
    )


# Error reports (the 500 mail, a debug page) show these as stars: they hold the person's passwords.
PASSWORD_FIELDS = ("current_password", "new_password1", "new_password2", "password")


@method_decorator(never_cache, name="dispatch")
@method_decorator(sensitive_post_parameters(*PASSWORD_FIELDS), name="dispatch")
class AccountPage(LoginRequiredMixin):
    """A page of someone's own account: only for them, never cached."""

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(user=user, profile=getattr(user, "profile", None), **kwargs)


class AccountView(AccountPage, TemplateView):
    """Show what we hold about the person, with a way to change each part."""

    template_name = "onboarding/account/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["review"] = review_in_words(context["profile"])
        context["pending_email"] = self.request.session.get(PENDING_EMAIL_KEY)
        passkeys = list(self.request.user.passkeys.all())
        # The last way in cannot be removed: no usable password and this one passkey.
        context["passkeys"] = passkeys
        context["only_way_in"] = len(passkeys) == 1 and not self.request.user.has_usable_password()
        context["security_events"] = events.recent(self.request.user)
        if not self.request.user.email_verified_at:
            # "Send it again" (verification.views.ResendConfirmationView) mails this account.
            remember_confirmation(self.request, self.request.user)
        return context


class AccountFormView(AccountPage, FormView):
    """One change to the account on its own page: the form, a button, and back to the account home."""

    template_name = "onboarding/account/form.html"
    success_url = ACCOUNT_URL
    title = ""
    intro = ""
    button = ""
    button_class = "btn-primary"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=self.title, intro=self.intro, button=self.button, button_class=self.button_class, **kwargs
        )


class EditDetailsView(AccountFormView):
    """Change the full name, preferred name and phone number given at signup."""

    form_class = DetailsForm
    title = gettext_lazy("Edit your details")
    button = gettext_lazy("Save your details")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not hasattr(request.user, "profile"):
            raise Http404("This account was not made by a signup, so it has no details to edit.")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = FormView.get_form_kwargs(self)
        profile = self.request.user.profile
        kwargs["initial"] = {name: getattr(profile, name) for name in DetailsForm.base_fields}
        kwargs["initial"]["time_zone"] = profile.time_zone or timezones.zone_name(self.request)
        return kwargs

    def form_valid(self, form):
        update_details(user=self.request.user, **form.cleaned_data)
        if form.cleaned_data["time_zone"]:
            timezones.remember(self.request, form.cleaned_data["time_zone"])
        messages.success(self.request, _("Your details have been saved."))
        return super().form_valid(form)


class ChangePasswordView(ConfirmItsYouRequired, AccountFormView):
    """Change the password, or set one where there is none (a person with passkeys only); this session stays
    logged in, every other one ends."""

    form_class = ChangePasswordForm
    intro = gettext_lazy("After the change, you stay logged in here and every other device is logged out.")

    def get_context_data(self, **kwargs):
        if self.request.user.has_usable_password():
            self.title = self.button = _("Change password")
        else:
            self.title, self.button = _("Set a password"), _("Set the password")
            self.intro = _("Then you can log in with your password as well as with a passkey.")
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        had_password = self.request.user.has_usable_password()
        change_password(
            user=self.request.user,
            password=form.cleaned_data["new_password1"],
            keep_session=self.request.session.session_key,
        )
        update_session_auth_hash(self.request, self.request.user)
        events.record(self.request, self.request.user, "password_changed")
        if had_password:
            messages.success(self.request, _("Your password has been changed. Other devices have been logged out."))
        else:
            messages.success(self.request, _("Your password has been set. Other devices have been logged out."))
        return super().form_valid(form)


class DeleteAccountView(ConfirmItsYouRequired, AccountFormView):
    """Delete the account for good, after "confirm it's you" and an explicit confirmation."""

    form_class = DeleteAccountForm
    title = gettext_lazy("Delete your account")
    intro = gettext_lazy(
        "This deletes your account and everything we hold about you: your login, your details and any "
        "unfinished signup. You will be logged out. It cannot be undone."
    )
    button = gettext_lazy("Delete your account")
    button_class = "btn-danger"

    def form_valid(self, form):
        delete_account(user=self.request.user)
        logout(self.request)
        self.request.session[DELETED_KEY] = True
        return redirect("onboarding:account_deleted")


class ConfirmItsYouView(AccountFormView):
    """Confirm it's you (account/reauth.py): the password or a passkey, then back to the page that asked.

    A person without a password sees only "Use a passkey" (passkeys/views.py's ConfirmWithPasskeyView).
    """

    form_class = ConfirmPasswordForm
    template_name = "onboarding/account/confirm.html"
    title = CONFIRM_TITLE
    intro = CONFIRM_INTRO
    button = gettext_lazy("Continue")

    def get_context_data(self, **kwargs):
        user = self.request.user
        passkey_url = reverse("onboarding:confirm_with_passkey")
        if self.request.GET.get("next"):
            passkey_url += "?" + urlencode({"next": self.request.GET["next"]})
        return super().get_context_data(
            has_password=user.has_usable_password(),
            has_passkeys=user.passkeys.exists(),
            passkey_url=passkey_url,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if not request.user.has_usable_password():
            return redirect(request.get_full_path())  # nothing to check: the page offers the passkey only
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        return confirmed_response(self.request)


class AccountDeletedView(TemplateView):
    """Say the account is gone; only right after deleting it."""

    template_name = "onboarding/account/deleted.html"

    def get(self, request, *args, **kwargs):
        if not request.session.pop(DELETED_KEY, False):
            return redirect("onboarding:landing")
        return super().get(request, *args, **kwargs)


@method_decorator(never_cache, name="dispatch")
class DownloadDataView(LoginRequiredMixin, View):
    """Send everything we hold about the person as a JSON file (never the password hash)."""

    def get(self, request):
        user = request.user
        data = personal_data(user)
        response = HttpResponse(
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        filename = f"account-data-{timezone.now():%Y%m%d}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


def personal_data(user):
    """Everything stored about a person, as plain values. Staff notes about them and the reviewer stay out."""
    profile = getattr(user, "profile", None)
    return {
        "exported_at": timezone.now(),
        "account": {
            "id": user.pk,
            "username": user.username,
            "email": user.email,
            "email_confirmed_at": user.email_verified_at,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "is_active": user.is_active,
        },
        "profile": profile
        and {
            "real_name": profile.real_name,
            "preferred_name": profile.preferred_name,
            "phone": profile.phone,
            "language": profile.language,
            "time_zone": profile.time_zone,
            "review_status": profile.review_status,
            "reviewed_at": profile.reviewed_at,
        },
        # Where they are logged in and their security log (onboarding/security/).
        "sessions": list(
            user.account_sessions.values("browser", "system", "ip", "started_at", "last_active_at").order_by("pk")
        ),
        "security_log": list(user.security_events.values("kind", "at", "browser", "system", "ip").order_by("pk")),
    }


class LogoutView(auth_views.LogoutView):
    """Log out (POST only, as Django's view) and say so."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You have logged out."))
        return response
