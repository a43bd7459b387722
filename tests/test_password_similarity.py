"""The password is checked against the username and email it goes with, even when they change later (finding 6)."""

import pytest

from onboarding.models import User
from tests.conftest import ACCOUNT, PROFILE, WIZARD_KEY, step_data

pytestmark = pytest.mark.django_db

CHOSEN = "zebrafish-wombat7"
RECHECK = "You changed your username or email address, so type your password again: we check that it is not like them."


def test_the_review_bypass_is_closed(signup, client):
    """Choose a password, go back, make the username the password, leave the password blank: asked again."""
    signup(until="confirm", account={**ACCOUNT, "password1": CHOSEN, "password2": CHOSEN})
    page = client.get("/signup/account/").content.decode()
    assert "If you change your username or email address, type it again." in page

    changed = step_data("account", username=CHOSEN, email=ACCOUNT["email"])
    response = client.post("/signup/account/?return=confirm", changed)
    assert response.status_code == 200
    assert RECHECK in response.content.decode()

    # Typing it again now runs the rules against the new username, as if both were typed together.
    retyped = step_data("account", username=CHOSEN, email=ACCOUNT["email"], password1=CHOSEN, password2=CHOSEN)
    response = client.post("/signup/account/?return=confirm", retyped)
    assert "Your password is too similar to your username." in response.content.decode()

    response = client.post("/signup/confirm/", step_data("confirm", accept_terms="on"))
    assert response["Location"] == "/signup/account/"  # the final check sends them back, too
    assert not User.objects.exists()


def test_changing_the_email_asks_again_and_a_new_password_that_fits_is_accepted(signup, client):
    signup(until="confirm")
    response = client.post("/signup/account/", step_data("account", username="minji", email="zebrafish@example.com"))
    assert RECHECK in response.content.decode()
    fresh = "violet tundra morning 12"
    data = step_data("account", username="minji", email="zebrafish@example.com", password1=fresh, password2=fresh)
    assert client.post("/signup/account/?return=confirm", data).status_code == 302
    client.post("/signup/confirm/", step_data("confirm", accept_terms="on"))
    user = User.objects.get()
    assert user.email == "zebrafish@example.com" and user.check_password(fresh)


def test_the_final_check_refuses_a_pair_changed_behind_the_forms_back(signup, client):
    """Even with the stored answers edited directly (no account POST), Create account rechecks the pair."""
    signup(until="confirm", account={**ACCOUNT, "password1": CHOSEN, "password2": CHOSEN})
    session = client.session
    session[WIZARD_KEY]["step_data"]["account"]["account-username"] = [CHOSEN]
    session.save()

    response = client.post("/signup/confirm/", step_data("confirm", accept_terms="on"))
    assert response["Location"] == "/signup/account/"
    assert RECHECK in client.get("/signup/account/").content.decode()
    assert not User.objects.exists()


def test_same_username_in_another_case_keeps_the_password(signup, client):
    signup(until="confirm")
    data = step_data("account", username="MINJI", email="Minji@example.com")
    assert client.post("/signup/account/?return=confirm", data).status_code == 302
    client.post("/signup/confirm/", step_data("confirm", accept_terms="on"))
    assert User.objects.get().profile.real_name == PROFILE["real_name"]
