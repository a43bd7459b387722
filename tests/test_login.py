"""Logging in and out: any case of the username, the truth for someone who knows the password, one hash per try."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.test import override_settings
from django.utils import timezone

from onboarding.models import ReviewStatus, User
from onboarding.signup.accounts import create_account
from tests.conftest import PASSWORD
from tests.hashers import CountingArgon2PasswordHasher

pytestmark = pytest.mark.django_db

WRONG = "The username, email address or password is not right."
AWAITING = "Your account is waiting for review."
REJECTED = "Your signup was not approved, so this account cannot log in."
SWITCHED_OFF = "This account has been switched off."
UNCONFIRMED = "Confirm your email address first"


def log_in(client, username, password=PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


def set_state(user, *, active, status):
    User.objects.filter(pk=user.pk).update(is_active=active)
    user.profile.review_status = status
    user.profile.save()


def test_username_is_matched_whatever_its_case_and_login_lands_on_the_account(client, existing_user):
    response = log_in(client, "tAKEN")
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert int(client.session[SESSION_KEY]) == existing_user.pk
    assert "Taken Person" in client.get("/account/").content.decode()


def test_wrong_password_gets_a_plain_message(client, existing_user):
    response = log_in(client, "Taken", "not the password")
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert SESSION_KEY not in client.session


def test_empty_fields_get_their_own_messages(client):
    page = client.post("/login/", {"username": "", "password": ""}).content.decode()
    assert "Enter your username or email address." in page
    assert "Enter your password." in page
    assert "This field is required" not in page


def test_a_signup_awaiting_review_is_told_so_only_with_the_right_password(client, existing_user):
    set_state(existing_user, active=False, status=ReviewStatus.PENDING)

    page = log_in(client, "taken").content.decode()
    assert AWAITING in page
    assert SESSION_KEY not in client.session

    page = log_in(client, "taken", "not the password").content.decode()
    assert "waiting for review" not in page
    assert WRONG in page


def test_a_rejected_signup_is_told_whom_to_write_to_only_with_the_right_password(client, existing_user, settings):
    settings.SIGNUP_CONTACT_EMAIL = "help@example.org"
    set_state(existing_user, active=False, status=ReviewStatus.REJECTED)

    page = log_in(client, "Taken").content.decode()
    assert REJECTED in page and "help@example.org" in page
    assert SESSION_KEY not in client.session

    page = log_in(client, "Taken", "not the password").content.decode()
    assert "not approved" not in page and "help@example.org" not in page
    assert WRONG in page


def test_an_account_switched_off_after_approval_says_so(client, existing_user):
    set_state(existing_user, active=False, status=ReviewStatus.APPROVED)
    assert SWITCHED_OFF in log_in(client, "Taken").content.decode()
    assert SESSION_KEY not in client.session


def test_an_unconfirmed_account_in_mandatory_mode_is_told_to_confirm_only_with_the_right_password(
    client, existing_user, settings
):
    settings.SIGNUP_EMAIL_VERIFICATION = "mandatory"
    page = log_in(client, "Taken").content.decode()
    assert UNCONFIRMED in page
    assert SESSION_KEY not in client.session
    page = log_in(client, "Taken", "not the password").content.decode()
    assert UNCONFIRMED not in page and WRONG in page

    User.objects.filter(pk=existing_user.pk).update(email_verified_at=timezone.now())
    assert log_in(client, "Taken")["Location"] == "/account/"


def test_an_unconfirmed_account_logs_in_when_confirming_is_optional(client, existing_user, settings):
    settings.SIGNUP_EMAIL_VERIFICATION = "optional"
    assert log_in(client, "Taken")["Location"] == "/account/"


def test_logging_out_says_so(client, existing_user):
    client.force_login(existing_user)
    response = client.post("/logout/", follow=True)
    assert "You have logged out." in response.content.decode()
    assert SESSION_KEY not in client.session


def test_the_login_page_links_to_the_signup(client):
    assert 'href="/signup/"' in client.get("/login/").content.decode()


@pytest.mark.argon2
@override_settings(PASSWORD_HASHERS=["tests.hashers.CountingArgon2PasswordHasher"])
@pytest.mark.parametrize(
    "state",
    [
        "no such account",
        "active",
        "awaiting review",
        "rejected",
        "switched off",
        "staff without a profile",
        "unconfirmed",
    ],
)
# The second: a password NFKC changes (fullwidth letters) cost two hashes for an existing account and one
# for an unknown username (second review, finding 10).
@pytest.mark.parametrize("wrong", ["not the password", "ｎｏｔ the password"])
def test_a_wrong_password_checks_exactly_one_hash_whatever_the_account(client, state, settings, wrong):
    """Equal work, so equal time: a wrong password tells nobody what state an account is in."""
    settings.SIGNUP_EMAIL_VERIFICATION = "mandatory"
    hashed = make_password(PASSWORD)
    if state == "staff without a profile":
        User.objects.create(username="someone", email="s@example.com", password=hashed, is_staff=True)
    elif state != "no such account":
        user = create_account(username="someone", email="s@example.com", password_hash=hashed, real_name="Some One")
        status, active = {
            "active": (ReviewStatus.PENDING, True),
            "awaiting review": (ReviewStatus.PENDING, False),
            "rejected": (ReviewStatus.REJECTED, False),
            "switched off": (ReviewStatus.APPROVED, False),
            "unconfirmed": (ReviewStatus.PENDING, True),
        }[state]
        if state != "unconfirmed":
            User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now())
        set_state(user, active=active, status=status)
    CountingArgon2PasswordHasher.reset()

    page = log_in(client, "someone", wrong).content.decode()

    assert WRONG in page
    assert CountingArgon2PasswordHasher.work() == 1


def test_case_insensitive_lookups_match_the_unique_constraints(make_user, db):
    make_user("Minji", "Minji@Example.com", password=None)
    assert User.objects.with_username("MINJI").get().username == "Minji"
    assert User.objects.with_email("minji@example.COM").exists()
    assert not User.objects.with_username("Minj").exists()


def test_the_email_address_in_another_case_logs_in(client, existing_user):
    response = log_in(client, "  TAKEN@Example.COM ")
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert int(client.session[SESSION_KEY]) == existing_user.pk


def test_the_field_is_labelled_for_both_and_keeps_its_name(client):
    page = client.get("/login/").content.decode()
    assert "Username or email address" in page
    assert 'name="username"' in page


def test_a_wrong_password_by_address_gets_the_same_message(client, existing_user):
    page = log_in(client, "taken@example.com", "not the password").content.decode()
    assert WRONG in page
    assert SESSION_KEY not in client.session


def test_an_account_awaiting_review_is_told_so_by_address_too(client, existing_user):
    set_state(existing_user, active=False, status=ReviewStatus.PENDING)
    assert AWAITING in log_in(client, "Taken@example.com").content.decode()


@override_settings(LOGIN_RATE_LIMIT="100/h", LOGIN_USERNAME_RATE_LIMIT="3/h")
def test_the_username_and_the_address_share_one_limit(client, existing_user):
    # One account's per-username limit, whichever of its names is typed and from wherever.
    for number, identifier in enumerate(("taken", "taken@example.com", "TAKEN@EXAMPLE.COM"), start=1):
        response = client.post(
            "/login/", {"username": identifier, "password": "wrong"}, REMOTE_ADDR=f"10.9.8.{number}"
        )
        assert response.status_code == 200
    response = client.post("/login/", {"username": "Taken", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429
