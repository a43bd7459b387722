"""Forms of who gets in: inviting addresses (admin), joining the waitlist (a visitor)."""

import copy

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from onboarding.access.domains import validate_signup_domain
from onboarding.identities import normalize_email
from onboarding.signup.forms import AccountForm, StepForm

# One paste at most: a bigger list is the waitlist's job, or several pastes.
MAX_ADDRESSES = 10_000


def signup_email_field(**changes):
    """The account step's email field (its label, checks and messages), for another form."""
    field = copy.deepcopy(AccountForm.base_fields["email"])
    for name, value in changes.items():
        setattr(field, name, value)
    return field


def clean_signup_email(field, value):
    """An address checked as the account step checks it (format, look-alikes, domain rules), normalised."""
    email = normalize_email(field.clean(value))
    validate_signup_domain(email)
    return email


class InviteForm(forms.Form):
    """Invite one address or many, one per line, each checked as the account step would."""

    addresses = forms.CharField(
        label=_("Email addresses"),
        widget=forms.Textarea(attrs={"rows": 8, "cols": 60, "spellcheck": "false", "autocomplete": "off"}),
        help_text=_("One address per line. Each is checked as a signup's would be."),
        error_messages={"required": _("Enter at least one email address.")},
    )
    language = forms.ChoiceField(
        label=_("Language of the invitation"), choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE
    )

    def clean_addresses(self):
        lines = [line.strip() for line in self.cleaned_data["addresses"].splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > MAX_ADDRESSES:
            raise ValidationError(
                _("Paste at most %(limit)d addresses at a time."), code="too_many", params={"limit": MAX_ADDRESSES}
            )
        field = signup_email_field()
        emails, errors = [], []
        for number, line in enumerate(lines, start=1):
            try:
                emails.append(clean_signup_email(field, line))
            except ValidationError as error:
                errors.append(
                    ValidationError(
                        _("Line %(number)d (%(line)s): %(reason)s"),
                        code="invalid_line",
                        params={"number": number, "line": line[:100], "reason": " ".join(error.messages)},
                    )
                )
        if errors:
            raise ValidationError(errors[:20])  # the first twenty are enough to fix the list
        if not emails:
            raise ValidationError(self.fields["addresses"].error_messages["required"], code="required")
        return emails


class WaitlistForm(StepForm):
    """Leave an address (and a name, if you like) to be invited when it is your turn."""

    email = signup_email_field(help_text=_("We will email you a link to confirm it, then an invitation."))
    name = forms.CharField(
        label=_("Your name (optional)"),
        max_length=150,
        required=False,
        error_messages={"max_length": _("Enter a name of %(limit_value)d characters or fewer.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def clean_email(self):
        email = normalize_email(self.cleaned_data["email"])
        validate_signup_domain(email)
        return email
