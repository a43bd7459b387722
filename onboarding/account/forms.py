"""The account page's forms: edit details, change email address or password, delete the account."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import SetPasswordMixin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from onboarding import timezones
from onboarding.access.domains import validate_signup_domain
from onboarding.identities import email_key
from onboarding.models import User
from onboarding.password_forms import PasswordInput, PasswordRulesMixin
from onboarding.signup.forms import AccountForm, ProfileForm


class DetailsForm(ProfileForm):
    """Edit the answers of the signup's profile step, with that step's fields, rules and messages, and the
    language we write to the person in."""

    language = forms.ChoiceField(
        label=_("Language for our emails"),
        choices=settings.LANGUAGES,
        error_messages={"required": _("Choose a language."), "invalid_choice": _("Choose a language from the list.")},
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=timezones.choices,
        required=False,  # left out: the zone stays as it is
        help_text=_("Times on these pages and in our emails are shown in it."),
        error_messages={"invalid_choice": _("Choose a time zone from the list.")},
    )

    def clean_time_zone(self):
        return self.cleaned_data["time_zone"] or None


class OwnAccountForm(forms.Form):
    """A form about the logged-in person's own account (`user`)."""

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)


class CurrentPasswordForm(OwnAccountForm):
    """The person's current password ("confirm it's you", account/reauth.py)."""

    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        error_messages={"required": _("Enter your current password.")},
        widget=PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean_current_password(self):
        password = self.cleaned_data["current_password"]
        if not self.user.check_password(password):
            raise ValidationError(
                _("That is not your current password. Type the password you log in with."),
                code="password_incorrect",
            )
        return password


class ChangePasswordForm(PasswordRulesMixin, SetPasswordMixin, OwnAccountForm):
    """The new password twice, checked by the same rules as at signup, listed as there (the person has
    confirmed it's them just before: ConfirmItsYouRequired)."""

    error_messages = {"password_mismatch": AccountForm.error_messages["password_mismatch"]}
    new_password_fields = ("new_password1", "new_password2")

    new_password1, new_password2 = SetPasswordMixin.create_password_fields(
        label1=_("New password"), label2=_("Confirm new password")
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        for name in ("new_password1", "new_password2"):
            self.fields[name].widget = PasswordInput(attrs={"autocomplete": "new-password"})
        self.fields["new_password1"].error_messages["required"] = AccountForm.error_messages["password_required"]
        self.fields["new_password2"].error_messages["required"] = AccountForm.error_messages["password2_required"]
        self.show_password_rules()

    def clean(self):
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password2")
        return super().clean()


class DeleteAccountForm(OwnAccountForm):
    """An explicit "yes, delete it" (after "confirm it's you")."""

    confirm = forms.BooleanField(
        label=_(
            "I understand that my account and everything we hold about me will be deleted, "
            "and that this cannot be undone."
        ),
        error_messages={"required": _("Tick the box to confirm that you want to delete your account.")},
    )


class ChangeEmailForm(OwnAccountForm):
    """A new email address (the signup's field and rules), after "confirm it's you"."""

    error_messages = {
        "same_email": _("That is already your email address. Enter the new one."),
        "email_taken": _("Another account uses that email address. Use a different one."),
    }

    email = AccountForm.base_fields["email"]

    def __init__(self, user, *args, hide_taken=False, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["email"].label = _("New email address")
        self.fields["email"].help_text = _("We will send a link to it. Your address changes when you open the link.")
        # Like the signup in mandatory verification mode: do not say that an address has an account.
        self.hide_taken = hide_taken
        self.owner_of_email = None

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if email_key(email) == email_key(self.user.email):  # any spelling of the same address
            raise ValidationError(self.error_messages["same_email"], code="same_email")
        # The signup's domain rules: no changing to a throwaway, blocked or not-allowed address afterwards.
        validate_signup_domain(email)
        self.owner_of_email = User.objects.with_email(email).exclude(pk=self.user.pk).first()
        if self.owner_of_email and not self.hide_taken:
            raise ValidationError(self.error_messages["email_taken"], code="email_taken")
        return email
