"""The login form, and the forms for a forgotten password: ask for a reset link, then choose a new password."""

from django import forms
from django.conf import settings
from django.contrib.auth import user_login_failed
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from onboarding.identities import username_key
from onboarding.models import Profile, ReservedUsername, ReviewStatus, User
from onboarding.passkeys.services import reserved_marker
from onboarding.password_forms import PasswordInput, PasswordRulesMixin


class LoginForm(AuthenticationForm):
    """Log in with a username or an email address, in any case; someone who knows the password is told why an
    account cannot log in.

    Every attempt checks exactly one password hash, whatever the account's state, so a wrong password
    takes as long for an account awaiting review as for any other.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The username, email address or password is not right. Check them and try again."),
        "awaiting_review": _(
            "Your account is waiting for review. We will email you when it has been approved, and then you can log in."
        ),
        "rejected": _(
            "Your signup was not approved, so this account cannot log in. "
            "If you think this is a mistake, write to %(contact)s."
        ),
        "inactive": _("This account has been switched off. To ask why, write to %(contact)s."),
        "email_unconfirmed": _(
            "Confirm your email address first: open the link in the email we sent you, then log in. "
            "No email? We can send it again."
        ),
    }

    unconfirmed_user = None  # set when the password was right but the address must be confirmed first
    # Set when a username reserved by a signup with a taken address (mandatory mode) was given the password
    # that signup chose: the user who owns that address, or False when nobody does any more.
    reserved_owner = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username or email address")
        self.fields["username"].error_messages["required"] = _("Enter your username or email address.")
        # "webauthn": the browser offers this site's passkeys in the field's autofill (conditional mediation).
        self.fields["username"].widget.attrs["autocomplete"] = "username webauthn"
        self.fields["password"].error_messages["required"] = _("Enter your password.")
        self.fields["password"].widget = PasswordInput(attrs={"autocomplete": "current-password"})

    @method_decorator(sensitive_variables("password"))
    def clean(self):
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data
        user = User.objects.for_login(username.strip())
        if user is not None and self.unproven_address(user, username.strip()):
            user = None
        if user is None:
            self.check_reserved(username.strip(), password)
        if user is not None:
            # Django's backend finds the account by its username; an address is turned into it here.
            self.cleaned_data["username"] = user.username
        if user is not None and not user.is_active:
            # authenticate() would check the password and then refuse the account; check it once here
            # instead, and say why only to someone who knows the password.
            if not user.check_password(password):
                user_login_failed.send(sender=__name__, credentials={"username": username}, request=self.request)
                raise self.get_invalid_login_error()
            raise self.refusal(user)
        return super().clean()

    @staticmethod
    def unproven_address(user, identifier):
        """In mandatory mode an address not confirmed yet is no login name (the username still is): otherwise
        logging in by the address typed at a signup would say "confirm first" when the address was free and
        "not right" when its owner's account answered, telling whether it was registered."""
        return (
            settings.SIGNUP_EMAIL_VERIFICATION == "mandatory"
            and not user.email_verified_at
            and user.username_key != username_key(User.normalize_username(identifier))
        )

    @method_decorator(sensitive_variables("password"))
    def check_reserved(self, username, password):
        """Answer a username reserved in mandatory mode (services.reserve_username) as the account that signup
        would have made: awaiting confirmation (or review), with the same one password hash.

        A prober who signed up with someone's address and then logs in with the name and password they
        chose must not learn that no account was made, i.e. that the address was registered.
        """
        if settings.SIGNUP_EMAIL_VERIFICATION != "mandatory":
            return
        key = username_key(User.normalize_username(username))
        reserved = ReservedUsername.objects.filter(username_key=key).exclude(password_hash="").first()
        if reserved is None:
            return  # authenticate() hashes the password once for an unknown username, as it does
        if not check_password(password, reserved.password_hash):
            user_login_failed.send(sender=__name__, credentials={"username": username}, request=self.request)
            raise self.get_invalid_login_error()
        if settings.SIGNUP_REQUIRES_APPROVAL:  # that account would wait for review, inactive
            raise ValidationError(self.error_messages["awaiting_review"], code="awaiting_review")
        self.reserved_owner = User.objects.filter(email_key=reserved.email_key).first() or False
        raise ValidationError(self.error_messages["email_unconfirmed"], code="email_unconfirmed")

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if must_confirm_first(user):
            self.unconfirmed_user = user
            raise ValidationError(self.error_messages["email_unconfirmed"], code="email_unconfirmed")

    def refusal(self, user):
        return inactive_refusal(user)


def must_confirm_first(user):
    """SIGNUP_EMAIL_VERIFICATION=mandatory holds signups (accounts with a profile) until their address is confirmed."""
    return (
        settings.SIGNUP_EMAIL_VERIFICATION == "mandatory"
        and not user.email_verified_at
        and Profile.objects.filter(user=user).exists()
    )


def inactive_refusal(user):
    """Why an account that is not active cannot log in (waiting for review, not approved, switched off)."""
    messages = LoginForm.error_messages
    profile = getattr(user, "profile", None)
    status = profile.review_status if profile else None
    contact = {"contact": settings.SIGNUP_CONTACT_EMAIL}
    if status == ReviewStatus.PENDING:
        return ValidationError(messages["awaiting_review"], code="awaiting_review")
    if status == ReviewStatus.REJECTED:
        return ValidationError(messages["rejected"], code="rejected", params=contact)
    return ValidationError(messages["inactive"], code="inactive", params=contact)


def reserved_passkey_refusal(credential_id):
    """For a passkey this site does not know: when a signup made it with a taken address in mandatory mode
    (its username reserved, finish.complete_taken), the answer that signup's account would get, as
    LoginForm.check_reserved gives for its password: (ValidationError, the address's owner or None).
    None for any other unknown passkey."""
    if settings.SIGNUP_EMAIL_VERIFICATION != "mandatory" or not isinstance(credential_id, str):
        return None
    reserved = ReservedUsername.objects.filter(password_hash=reserved_marker(credential_id)).first()
    if reserved is None:
        return None
    if settings.SIGNUP_REQUIRES_APPROVAL:
        return ValidationError(LoginForm.error_messages["awaiting_review"], code="awaiting_review"), None
    owner = User.objects.filter(email_key=reserved.email_key).first()
    return ValidationError(LoginForm.error_messages["email_unconfirmed"], code="email_unconfirmed"), owner


def login_refusal(user):
    """Why `user`, who has proved who they are (the right password, or a passkey), may not log in, with the
    password login's words (a ValidationError), or None when they may."""
    if not user.is_active:
        return inactive_refusal(user)
    if must_confirm_first(user):
        return ValidationError(LoginForm.error_messages["email_unconfirmed"], code="email_unconfirmed")
    return None


class PasswordResetRequestForm(PasswordResetForm):
    """Ask for a link by email address; the page after it is the same whether or not the address has an account."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("The email address of your account. We will send a link to it."),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address in the right format, like name@example.com."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    def get_users(self, email):
        """Active accounts with this address, whatever its case, with or without a password.

        Django's form leaves out accounts without a usable password; ours must not: a person with passkeys
        only, who lost the device, recovers by this link (a new password or a new passkey).
        """
        return list(User.objects.with_email(email).filter(is_active=True).select_related("profile"))


class NewPasswordForm(PasswordRulesMixin, SetPasswordForm):
    """Choose a new password under the same rules as at signup (AUTH_PASSWORD_VALIDATORS), listed as there."""

    new_password_fields = ("new_password1", "new_password2")

    error_messages = {
        **SetPasswordForm.error_messages,
        "password_mismatch": _("The two passwords do not match. Type the same password in both fields."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].widget = PasswordInput(attrs={"autocomplete": "new-password"})
        self.fields["new_password2"].widget = PasswordInput(attrs={"autocomplete": "new-password"})
        self.fields["new_password1"].error_messages["required"] = _("Enter a password.")
        self.fields["new_password2"].error_messages["required"] = _("Type your password again to confirm it.")
        self.show_password_rules()
