"""Coming back later: logging in with any case of the username, and a clear word for signups awaiting review."""

import pytest
from django.contrib.auth import SESSION_KEY

from onboarding import services
from onboarding.models import ReviewStatus, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def log_in(client, username, password=PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


def test_username_is_matched_whatever_its_case(client, existing_user):
    response = log_in(client, "tAKEN")
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == existing_user.pk


def test_wrong_password_gets_a_plain_message(client, existing_user):
    response = log_in(client, "Taken", "not the password")
    assert response.status_code == 200
    assert "The username or password is not right." in response.content.decode()
    assert SESSION_KEY not in client.session


def test_a_signup_awaiting_review_is_told_so_only_with_the_right_password(client, existing_user, settings):
    User.objects.filter(pk=existing_user.pk).update(is_active=False)

    page = log_in(client, "taken").content.decode()
    assert "Your account is waiting for review." in page
    assert SESSION_KEY not in client.session

    page = log_in(client, "taken", "not the password").content.decode()
    assert "waiting for review" not in page
    assert "The username or password is not right." in page


def test_a_rejected_signup_gets_the_plain_message(client, existing_user):
    User.objects.filter(pk=existing_user.pk).update(is_active=False)
    existing_user.profile.review_status = ReviewStatus.REJECTED
    existing_user.profile.save()
    page = log_in(client, "Taken").content.decode()
    assert "waiting for review" not in page
    assert "The username or password is not right." in page


def test_case_insensitive_lookups_match_the_unique_constraints(db):
    services.create_account(username="Minji", email="Minji@Example.com", password_hash="!", real_name="Kim Minji")
    assert User.objects.with_username("MINJI").get().username == "Minji"
    assert User.objects.with_email("minji@example.COM").exists()
    assert not User.objects.with_username("Minj").exists()
