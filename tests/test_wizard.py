"""The wizard through Django's test client: redirects, pages, stored rows and session contents."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import check_password

from onboarding.models import User
from tests.conftest import PASSWORD, WIZARD_KEY, step_data

pytestmark = pytest.mark.django_db


def test_signup_starts_at_the_account_step(client):
    response = client.get("/signup/")
    assert response.status_code == 302
    assert response["Location"] == "/signup/account/"
    page = client.get("/signup/account/").content.decode()
    assert 'name="account-username"' in page
    assert "Step 1 of 3" in page
    assert ">Next<" in page
    assert ">Start over<" not in page  # nothing stored yet, so nothing to start over from
    assert ">Back<" not in page


@pytest.mark.argon2
def test_happy_path_creates_user_and_profile_and_greets_them(signup):
    client = signup(until="confirm")
    confirm = client.get("/signup/confirm/").content.decode()
    for answer in ("minji", "minji@example.com", "Kim Minji", "+82 10 1234 5678"):
        assert answer in confirm
    assert PASSWORD not in confirm
    assert "I accept the terms of use" in confirm
    assert User.objects.count() == 0  # nothing written before confirmation

    response = client.post("/signup/confirm/", step_data("confirm", accept_terms="on"))
    assert response["Location"] == "/signup/done/"

    user = User.objects.get()
    assert (user.username, user.email, user.is_active) == ("minji", "minji@example.com", True)
    assert user.password.startswith("argon2$")
    assert check_password(PASSWORD, user.password)
    assert user.profile.real_name == "Kim Minji"
    assert user.profile.phone == "+82 10 1234 5678"

    session = client.session
    assert session["success_id"] == "minji"
    assert session["success_name"] == "Kim Minji"
    assert session["success_email"] == "minji@example.com"
    assert int(session[SESSION_KEY]) == user.pk
    assert WIZARD_KEY not in session

    done = client.get("/signup/done/").content.decode()
    assert "Welcome, Minji!" in done
    assert "minji@example.com" in done
    assert "Logged in as <strong>minji</strong>" in done


def test_invalid_step_shows_the_errors_and_stores_nothing_secret(client):
    client.get("/signup/")
    response = client.post(
        "/signup/account/", step_data("account", username="", email="x", password1="a", password2="b")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter a username." in page
    assert "<title>Error: Account" in page
    stored = client.session[WIZARD_KEY]["step_data"]["account"]
    assert stored == {"account-username": [""], "account-email": ["x"]}


def test_confirm_requires_terms(signup):
    client = signup(until="confirm")
    response = client.post("/signup/confirm/", step_data("confirm"))
    assert response.status_code == 200
    assert "To create an account, select the box to accept the terms of use." in response.content.decode()
    assert User.objects.count() == 0


def test_done_page_without_a_signup_sends_people_to_the_wizard(client):
    assert client.get("/signup/done/")["Location"] == "/signup/"


def test_landing_links_to_signup_and_login(client):
    page = client.get("/").content.decode()
    assert 'href="/signup/account/"' in page
    assert 'href="/login/"' in page


def sign_up_link(client):
    return re.search(r'href="([^"]+)">Sign up</a>', client.get("/").content.decode()).group(1)


def test_the_landing_page_links_where_signup_would_send_this_browser(signup, client, settings):
    """The link skips GET /signup/'s redirect, so it must land where that redirect would."""
    assert sign_up_link(client) == "/signup/account/"
    signup(until="profile")
    assert sign_up_link(client) == client.get("/signup/")["Location"] == "/signup/profile/"
    client.get("/signup/confirm/")  # ahead of the first unanswered step: not where a person resumes
    assert sign_up_link(client) == client.get("/signup/")["Location"] == "/signup/profile/"
    # Finished but not logged in (the account awaits review): /signup/ itself forgets the done page's details.
    settings.SIGNUP_REQUIRES_APPROVAL = True
    signup(until="done")
    assert sign_up_link(client) == "/signup/"
    assert client.get("/signup/")["Location"] == "/signup/account/"
    assert sign_up_link(client) == "/signup/account/"


def test_a_new_user_can_log_out_and_back_in(signup, client):
    signup(until="done")
    client.post("/logout/")
    assert SESSION_KEY not in client.session
    response = client.post("/login/", {"username": "minji", "password": PASSWORD})
    assert response.status_code == 302
    assert "Logged in as <strong>minji</strong>" in client.get("/").content.decode()
