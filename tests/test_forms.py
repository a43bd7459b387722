"""Each step's form on its own: what it accepts, what it refuses and what it says."""

import pytest

from onboarding.signup.forms import AccountForm, ConfirmForm, ProfileForm
from tests.conftest import ACCOUNT, PASSWORD, PROFILE


def account_form(has_password=False, **overrides):
    data = {f"account-{name}": value for name, value in {**ACCOUNT, **overrides}.items()}
    return AccountForm(data=data, prefix="account", has_password=has_password)


@pytest.mark.django_db
def test_account_form_accepts_good_answers_and_normalises_email():
    form = account_form(email="Minji@EXAMPLE.com")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["email"] == "Minji@example.com"
    assert form.new_password == PASSWORD


@pytest.mark.django_db
def test_account_form_refuses_taken_username_and_email_whatever_the_case(existing_user):
    form = account_form(username="tAKEN", email="TAKEN@example.COM")
    assert not form.is_valid()
    assert form.errors.as_data()["username"][0].code == "username_taken"
    assert form.errors.as_data()["email"][0].code == "email_taken"
    assert "That username is taken" in form.errors["username"][0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "username, email, taken",
    [
        ("tAKEN", " TAKEN@example.COM ", {"username", "email"}),
        ("taken", "new@example.com", {"username"}),
        ("newcomer", "taken@EXAMPLE.com", {"email"}),
        ("newcomer", "not an address", set()),  # refused for its format, with no lookup of the address
    ],
)
def test_both_uniqueness_checks_are_one_query(existing_user, django_assert_max_num_queries, username, email, taken):
    form = account_form(username=username, email=email)
    with django_assert_max_num_queries(1):
        form.is_valid()
    codes = {name: errors[0].code for name, errors in form.errors.as_data().items()}
    assert {name for name, code in codes.items() if code.endswith("_taken")} == taken


@pytest.mark.django_db
def test_account_form_explains_mismatched_passwords():
    form = account_form(password2="something else 42")
    assert not form.is_valid()
    assert form.errors["password2"] == ["The two passwords do not match. Type the same password in both fields."]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password, message",
    [
        ("short1", "Your password is 6 characters long. Make it at least 15 characters"),
        ("password123456789", "Your password is on a list of leaked or common passwords"),
        ("minji@example.com", "Your password is too similar to your email address."),
    ],
)
def test_account_form_applies_the_password_rules(password, message):
    form = account_form(password1=password, password2=password)
    assert not form.is_valid()
    # One error for the field; the failed rule is marked beside its own line in the help text.
    assert form.errors["password1"] == ["Your password does not meet the rules marked under the password field."]
    assert any(message in text for messages in form.failed_rules.values() for text in messages), form.failed_rules
    marked = [rule["text"] for rule in form.password_rules() if rule["failed"]]
    assert len(marked) == len(form.failed_rules) >= 1
    assert 'class="password-rule failed"' in str(form["password1"].help_text)


@pytest.mark.django_db
def test_account_form_needs_a_password_until_one_is_stored():
    form = account_form(password1="", password2="")
    assert not form.is_valid()
    assert form.errors["password1"] == ["Enter a password."]

    checked = account_form()
    assert checked.is_valid()
    kept = AccountForm(
        data={"account-username": "minji", "account-email": "minji@example.com"},
        prefix="account",
        has_password=True,
        password_checked_for=checked.identity(),
    )
    assert kept.is_valid(), kept.errors
    assert kept.new_password == ""

    changed = account_form(has_password=True, password1="", password2="")  # checked against nothing known
    assert changed.errors.as_data()["password1"][0].code == "recheck"


@pytest.mark.django_db
def test_account_form_refuses_bad_usernames_and_emails():
    form = account_form(username="no spaces!", email="not-an-email")
    assert not form.is_valid()
    assert "username" in form.errors
    assert form.errors["email"] == ["Enter an email address in the right format, like name@example.com."]


def test_profile_form_requires_a_name_and_checks_the_phone():
    form = ProfileForm(data={"profile-real_name": "", "profile-phone": "call me"}, prefix="profile")
    assert not form.is_valid()
    assert form.errors["real_name"] == ["Enter your full name."]
    assert "phone" in form.errors

    form = ProfileForm(data={f"profile-{k}": v for k, v in PROFILE.items()}, prefix="profile")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] == "+82 10 1234 5678"


def test_confirm_form_requires_accepting_the_terms():
    assert not ConfirmForm(data={}, prefix="confirm").is_valid()
    assert ConfirmForm(data={"confirm-accept_terms": "on"}, prefix="confirm").is_valid()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "username, message",
    [
        ("my name!", "Use only letters, digits and @ . + - _ in your username, with no spaces."),
        ("min\u200bji", "Your username has a space or an invisible character in it. Use only characters you can see."),
    ],
)
def test_a_username_with_several_problems_gets_one_error(username, message):
    form = account_form(username=username)
    assert form.errors["username"] == [message]


@pytest.mark.django_db
def test_an_address_without_a_dot_gets_one_error():
    form = account_form(email="minji@example")
    assert form.errors["email"] == ["Use an email address at a domain name with a dot in it, like name@example.com."]


@pytest.mark.django_db
def test_a_mismatch_and_a_short_password_are_reported_in_one_round():
    form = account_form(password1="too short", password2="something else")
    assert form.errors["password2"] == ["The two passwords do not match. Type the same password in both fields."]
    assert any("Make it at least 15 characters" in text for texts in form.failed_rules.values() for text in texts)
