"""What every form with a new password shares: the password input with its "Show password" button, and the
password rules listed under the field, with the ones a typed password failed marked.

The signup's account step, the account's "Change password" and a reset's new password show the same list
before anything is typed, and mark the same rules after.
"""

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

RULES_NOT_MET = _("Your password does not meet the rules marked under the password field.")


class PasswordRulesMixin:
    """For a form whose `new_password_fields` are the new password and its confirmation."""

    new_password_fields = ("password1", "password2")
    # The wizard keeps the hash of a password already checked: its fields may then be left blank.
    has_password = False
    # ... and has just kept the password typed on this submission, though another field failed.
    password_kept = False

    def show_password_rules(self):
        """Call from __init__: the help texts are rendered with the page, once the errors are known."""
        first, second = self.new_password_fields
        self.failed_rules = {}  # validator index -> its messages, after a password failed them
        self.fields[first].help_text = lazy(self.password_help, str)()
        self.fields[second].help_text = lazy(self.password2_help, str)()

    @property
    def passwords_emptied(self):
        """True when a typed password comes back with errors: it is never sent back, so its fields are empty."""
        typed = any(self.data.get(self.add_prefix(name)) for name in self.new_password_fields)
        return self.is_bound and typed and bool(self.errors) and not self.has_password

    def password_rules(self):
        """The password validators' own help texts, one line each, marked when the typed password failed it."""
        rules = []
        for index, validator in enumerate(password_validation.get_default_password_validators()):
            text = validator.get_help_text() if hasattr(validator, "get_help_text") else ""
            failed = index in self.failed_rules
            problem = " ".join(self.failed_rules.get(index, []))
            if text or failed:  # a rule without a help text is shown by its message when it fails
                # A failed rule also says what was wrong and how to fix it, on its own line.
                rules.append({"text": text or problem, "failed": failed, "problem": problem if text else ""})
        return rules

    def password_help(self):
        return render_to_string(
            "onboarding/includes/password_help.html",
            {
                "rules": self.password_rules(),
                "emptied": self.passwords_emptied,
                "has_password": self.has_password,
                "kept": self.password_kept,
            },
        )

    def password2_help(self):
        if self.passwords_emptied:
            return gettext("Emptied for the same reason. Type the same password again.")
        if self.password_kept:
            return gettext("Leave this blank too, to keep the password you chose.")
        return gettext("Type the same password again, to check for typing mistakes.")

    def check_password_rules(self, password, user):
        """Run each validator on its own, so the page can mark the rules that failed beside their lines."""
        for index, validator in enumerate(password_validation.get_default_password_validators()):
            try:
                validator.validate(password, user)
            except ValidationError as error:
                self.failed_rules[index] = error.messages
        if self.failed_rules:
            self.add_error(self.new_password_fields[0], ValidationError(RULES_NOT_MET, code="password_rules"))

    def validate_password_for_user(self, user, password_field_name="password2"):
        """What Django's password forms call to check a new password: rule by rule here, to mark each one."""
        password = self.cleaned_data.get(password_field_name)
        if not password or self.has_error(password_field_name):
            # A mismatch or a blank confirmation: the rules still judge the first password, in the same round.
            password = self.cleaned_data.get(self.new_password_fields[0])
        if password:
            self.check_password_rules(password, user)


class PasswordInput(forms.PasswordInput):
    """A password field that site.js gives a "Show password" button, named in the page's language."""

    def __init__(self, attrs=None, **kwargs):
        attrs = {"data-show-label": _("Show password"), "data-hide-label": _("Hide password"), **(attrs or {})}
        super().__init__(attrs, **kwargs)
