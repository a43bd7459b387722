"""One form per signup step: account, profile, confirmation."""

import hashlib
import re
import unicodedata
from functools import partial

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onboarding.access.domains import validate_signup_domain
from onboarding.identities import (
    INVISIBLE_CATEGORIES,
    email_key,
    username_key,
    validate_email_address,
    validate_not_confusable,
    validate_not_reserved,
    validate_visible,
)
from onboarding.models import ReservedUsername, User
from onboarding.passkeys.ceremony import PasskeyError
from onboarding.password_forms import PasswordInput, PasswordRulesMixin
from onboarding.signup.passkey import check_new_passkey
from onboarding.signup.state import SECRET_FIELDS

# The browser's answer to the passkey ceremony, as JSON: an attestation with a large key fits.
PASSKEY_ANSWER_MAX_LENGTH = 8000


class StepForm(forms.Form):
    """A wizard step: crispy renders the fields, the wizard template renders the <form> and buttons."""

    # The step opens with its first field focused, so typing can start at once (not five tabs away).
    # A page with errors focuses its error summary instead (site.js).
    focus_first_field = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        if self.focus_first_field and not self.is_bound and self.fields:
            next(iter(self.fields.values())).widget.attrs["autofocus"] = True


class OneErrorField:
    """When several validators refuse a value, say the one that explains most, once (not overlapping messages)."""

    def run_validators(self, value):
        try:
            super().run_validators(value)
        except ValidationError as error:
            raise ValidationError([self.explains_most(error.error_list, value)]) from None

    def explains_most(self, errors, value):
        return errors[0]


class UsernameField(OneErrorField, forms.CharField):
    def explains_most(self, errors, value):
        # "no spaces!" breaks the character rule, which names spaces too; only invisible characters get their own.
        visible = "".join(char for char in value if unicodedata.category(char) not in INVISIBLE_CATEGORIES)
        invalid = [error for error in errors if error.code == "invalid"]
        if invalid and not re.fullmatch(UnicodeUsernameValidator.regex, visible or "x"):
            return invalid[0]
        return errors[0]


class EmailAddressField(OneErrorField, forms.EmailField):
    def explains_most(self, errors, value):
        # "name@example": the missing dot is the more precise reason than "not in the right format".
        specific = [error for error in errors if error.code != "invalid"]
        return (specific or errors)[0]


class PasskeyWidget(forms.Widget):
    """The "Create a passkey" button (passkey_signup.js runs the ceremony) and a hidden input for the browser's
    answer. The button carries the field's id, so that the label and the error summary lead to it."""

    template_name = "onboarding/widgets/passkey.html"
    ready = False  # a passkey was made and is kept

    def get_context(self, name, value, attrs):
        context = super().get_context(name, "", attrs)  # an answer is never sent back to the page
        context["widget"]["ready"] = self.ready
        return context


class AccountForm(PasswordRulesMixin, StepForm):
    """Choose a username, an email address and a password, or a passkey instead of the password.

    The wizard never keeps the typed password: it keeps its hash. When a hash is
    already stored (`has_password`), the password fields may be left blank.
    With `passkey`, the password fields go and a passkey is needed instead: `verify_passkey(answer)` checks
    the browser's answer to the ceremony (a NewPasskey, or PasskeyError); `has_passkey` says one is kept.
    """

    error_messages = {
        "username_taken": _("That username is taken. Choose a different username."),
        "email_taken": _(
            "An account with that email address already exists. Log in instead, or use a different email address."
        ),
        "password_mismatch": _("The two passwords do not match. Type the same password in both fields."),
        "password_required": _("Enter a password."),
        "password2_required": _("Type your password again to confirm it."),
        "password_recheck": _(
            "You changed your username or email address, so type your password again: "
            "we check that it is not like them."
        ),
        "passkey_required": _("Create a passkey first: press “Create a passkey” and follow your browser’s steps."),
    }

    username = UsernameField(
        label=_("Username"),
        max_length=150,
        validators=[validate_visible, UnicodeUsernameValidator(), validate_not_reserved, validate_not_confusable],
        help_text=_("Up to 150 characters: letters, digits and @ . + - _ only."),
        error_messages={
            "required": _("Enter a username."),
            "invalid": _("Use only letters, digits and @ . + - _ in your username, with no spaces."),
            "max_length": _("Enter a username of %(limit_value)d characters or fewer."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )
    email = EmailAddressField(
        label=_("Email address"),
        max_length=254,  # what RFC 5321 allows in a path, and the model's length
        validators=[validate_email_address],
        help_text=_("We will only use it to contact you about your account."),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address in the right format, like name@example.com."),
            "max_length": _("Enter an email address of %(limit_value)d characters or fewer."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        required=False,
        widget=PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Confirm password"),
        strip=False,
        required=False,
        widget=PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    new_passkey = None  # the passkey checked on this submission (a NewPasskey)

    def __init__(
        self, *args, has_password=False, password_checked_for=None, passkey=False, has_passkey=False,
        verify_passkey=None, **kwargs,
    ):  # fmt: skip
        super().__init__(*args, **kwargs)
        self.has_password = has_password
        # The username and email the stored password was checked against; the password may be left
        # blank only while both are still the same.
        self.password_checked_for = password_checked_for
        self.passkey_mode = passkey
        if passkey:
            del self.fields["password1"], self.fields["password2"]
            self.has_passkey, self.verify_passkey = has_passkey, verify_passkey
            self.fields["passkey"] = forms.CharField(
                label=_("Passkey"),
                required=False,
                strip=False,
                max_length=PASSKEY_ANSWER_MAX_LENGTH,
                widget=PasskeyWidget(),
                help_text=_(
                    "Your device keeps the passkey and unlocks it with your fingerprint, face or screen lock. "
                    "We keep only its public part: there is no password to remember or to steal."
                ),
            )
            self.fields["passkey"].widget.ready = has_passkey
            self.helper = FormHelper(self)  # its layout lists the fields as they are now
            self.helper.form_tag, self.helper.disable_csrf = False, True
            return
        self.show_password_rules()
        if not has_password:
            self.fields["password1"].widget.attrs["required"] = True
            self.fields["password2"].widget.attrs["required"] = True

    def clean_username(self):
        username = User.normalize_username(self.cleaned_data["username"])
        if username_key(username) in self.taken_keys(username)[0] or self.reserved(username):
            raise ValidationError(self.error_messages["username_taken"], code="username_taken")
        return username

    def taken_keys(self, username):
        """The username keys and email keys of the accounts with this username or the email address typed beside
        it: one query for both uniqueness checks (every account POST makes them, and "Create account" again).
        clean_email uses the email half only if the address it cleans has the key looked up here."""
        self.looked_up_email = None
        if settings.SIGNUP_EMAIL_VERIFICATION != "mandatory":  # else the wizard never says an address is taken
            typed = self.data.get(self.add_prefix("email"), "")
            self.looked_up_email = email_key(User.objects.normalize_email(typed.strip())) if typed.strip() else None
        names = Q(username_key=username_key(username))
        either = names | Q(email_key=self.looked_up_email) if self.looked_up_email else names
        rows = User.objects.filter(either).values_list("username_key", "email_key")[:2]
        self.taken = ({row[0] for row in rows}, {row[1] for row in rows})
        return self.taken

    @staticmethod
    def reserved(username):
        """Mandatory mode reserves the username of a signup made with a registered address (ReservedUsername)."""
        if settings.SIGNUP_EMAIL_VERIFICATION != "mandatory":
            return False
        return ReservedUsername.objects.filter(username_key=username_key(username)).exists()

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        validate_signup_domain(email)  # throwaway, blocked, or outside SIGNUP_ALLOWED_DOMAINS: says which
        # With mandatory verification the wizard never says an address is registered: "Create account"
        # then mails the address's owner instead (enumeration prevention).
        if settings.SIGNUP_EMAIL_VERIFICATION != "mandatory" and self.email_taken(email):
            # The error says "Log in instead"; the link to do it sits under the field (a link inside the
            # error would nest inside the error summary's own link to the field).
            link = format_html('<a href="{}">{}</a>', reverse("login"), gettext("Log in instead"))
            self.fields["email"].help_text = self["email"].help_text = link  # the bound field keeps its own copy
            raise ValidationError(self.error_messages["email_taken"], code="email_taken")
        return email

    def email_taken(self, email):
        key = email_key(email)
        if getattr(self, "looked_up_email", None) == key:
            return key in self.taken[1]  # looked up with the username
        return User.objects.with_email(email).exists()

    def clean_passkey(self):
        """Check the browser's answer to the ceremony, if one came; else a passkey must be kept already."""
        answer = self.cleaned_data.get("passkey", "")
        if answer and self.verify_passkey is not None:
            try:
                self.new_passkey = self.verify_passkey(answer)
            except PasskeyError as error:
                raise ValidationError(error.message, code="passkey") from None
            self.has_passkey = self.fields["passkey"].widget.ready = True
        elif not self.has_passkey:
            raise ValidationError(self.error_messages["passkey_required"], code="passkey_required")
        return ""

    def clean(self):
        cleaned_data = super().clean()
        if self.passkey_mode:
            return cleaned_data
        password1 = cleaned_data.get("password1")
        password2 = cleaned_data.get("password2")
        if not password1 and not password2 and self.has_password:
            if self.identity() != self.password_checked_for:
                self.add_error("password1", ValidationError(self.error_messages["password_recheck"], code="recheck"))
            return cleaned_data
        if not password1:
            self.add_error("password1", ValidationError(self.error_messages["password_required"], code="required"))
            return cleaned_data
        if not password2:
            self.add_error("password2", ValidationError(self.error_messages["password2_required"], code="required"))
        elif password1 != password2:
            self.add_error(
                "password2", ValidationError(self.error_messages["password_mismatch"], code="password_mismatch")
            )
        # The rules judge the first password even beside a mismatch, so every problem shows in one round.
        username, email = self.checked_against()
        self.check_password_rules(password1, User(username=username, email=email))
        return cleaned_data

    def checked_against(self):
        """The username and email the password is checked against: as cleaned, else as typed when they failed."""
        return tuple(
            self.cleaned_data.get(name) or self.data.get(self.add_prefix(name), "").strip()
            for name in ("username", "email")
        )

    def identity(self):
        """A digest of the username and email the password is checked against (as the uniqueness checks see them)."""
        username, email = self.checked_against()
        keys = (username_key(username), email_key(email) or "")
        return hashlib.sha256("\n".join(keys).encode()).hexdigest()

    @property
    def password_passed(self):
        """True when the typed password met every rule and was confirmed, though another field failed."""
        return bool(self.new_password) and not (
            self.failed_rules or self.has_error("password1") or self.has_error("password2")
        )

    def keep_password(self):
        """The wizard kept this password's hash: show the fields as optional, and say why."""
        self.has_password = self.password_kept = True
        for name in self.new_password_fields:
            self.fields[name].widget.attrs.pop("required", None)

    @property
    def new_password(self):
        """The password typed on this submission, or "" when the stored one is kept (or a passkey is used)."""
        return "" if self.passkey_mode else self.cleaned_data.get("password1", "")


class ProfileForm(StepForm):
    """Tell us who you are."""

    real_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        error_messages={
            "required": _("Enter your full name."),
            "max_length": _("Enter a full name of %(limit_value)d characters or fewer."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    preferred_name = forms.CharField(
        label=_("What should we call you? (optional)"),
        max_length=150,
        required=False,
        help_text=_("For example, a first name or a nickname."),
        error_messages={"max_length": _("Enter a name of %(limit_value)d characters or fewer.")},
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    phone = forms.CharField(
        label=_("Phone number (optional)"),
        max_length=32,
        required=False,
        help_text=_("Include the country code if you are outside Korea, like +44 20 7946 0958."),
        error_messages={"max_length": _("Enter a phone number of %(limit_value)d characters or fewer.")},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean_phone(self):
        phone = " ".join(self.cleaned_data["phone"].split())
        if phone and not re.fullmatch(r"\+?[0-9][0-9 ()\-.]{5,30}", phone):
            raise ValidationError(
                _("Enter a phone number using digits, spaces and dashes, with an optional + at the start."),
                code="invalid_phone",
            )
        if phone and len(re.sub(r"\D", "", phone)) < 7:
            raise ValidationError(_("Enter a phone number with at least 7 digits."), code="short_phone")
        return phone


class ConfirmForm(StepForm):
    """Accept the terms and create the account."""

    focus_first_field = False  # the box sits under the answers to read first: focusing it would scroll past them

    accept_terms = forms.BooleanField(
        label=_("I accept the terms of use"),
        error_messages={"required": _("To create an account, select the box to accept the terms of use.")},
    )


STEP_FORMS = {"account": AccountForm, "profile": ProfileForm, "confirm": ConfirmForm}


def step_form(step, state, data=None, request=None):
    """A step's form for this signup (a SignupState): bound to `data` if given, prefilled with its answers.

    With the `request` the data came in, a passkey's answer in it is checked (the ceremony's challenge is in
    the request's session)."""
    kwargs = {"data": data, "prefix": step, "initial": stored_answers(step, state)}
    if step == "account":
        kwargs.update(has_password=bool(state.password_hash), password_checked_for=state.password_checked_for)
        if state.uses_passkey:
            kwargs.update(passkey=True, has_passkey=bool(state.passkey))
            if request is not None:
                kwargs["verify_passkey"] = partial(check_new_passkey, request, state)
    return STEP_FORMS[step](**kwargs)


def stored_answers(step, state):
    """A step's kept answers by field name, to prefill it without showing errors for them."""
    data = state.step_data(step)
    if not data:
        return {}
    return {
        name: field.widget.value_from_datadict(data, MultiValueDict(), f"{step}-{name}")
        for name, field in STEP_FORMS[step].base_fields.items()
        if name not in SECRET_FIELDS
    }
