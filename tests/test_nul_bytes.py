"""A NUL byte anywhere in a POST (or a query string) gets our 400 page, never a 500, on SQLite and PostgreSQL
(finding 12: a NUL in wizard_id reached a PostgreSQL lookup)."""

import pytest

from onboarding.models import User
from tests.conftest import ACCOUNT, PROFILE, step_data

pytestmark = pytest.mark.django_db

NUL = "\x00"


def assert_our_400(response):
    assert response.status_code == 400
    assert "Sorry, we could not understand that request" in response.content.decode()


def test_a_nul_in_wizard_id_gets_our_400_page(signup, client):
    signup(until="confirm")
    response = client.post("/signup/confirm/", {**step_data("confirm", accept_terms="on"), "wizard_id": f"x{NUL}y"})
    assert_our_400(response)
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    "field", ["account-username", "account-email", "account-password1", "signup_wizard-current_step", "website"]
)
def test_a_nul_in_any_wizard_field_gets_our_400_page(client, field):
    data = step_data("account", **ACCOUNT)
    data[field] = data.get(field, "") + NUL
    assert_our_400(client.post("/signup/account/", data))


def test_a_nul_in_a_field_name_gets_our_400_page(client):
    assert_our_400(client.post("/signup/account/", {**step_data("account", **ACCOUNT), f"a{NUL}b": "1"}))


def test_a_nul_in_the_login_and_reset_forms_gets_our_400_page(client):
    assert_our_400(client.post("/login/", {"username": f"minji{NUL}", "password": "x"}))
    assert_our_400(client.post("/password-reset/", {"email": f"minji{NUL}@example.com"}))


def test_a_nul_in_a_query_string_gets_our_400_page(client):
    assert_our_400(client.get("/signup/", {"return": f"confirm{NUL}"}))


def test_the_rest_of_the_signup_is_unaffected(signup, client):
    signup(until="confirm", profile={**PROFILE, "real_name": "Kim Minji"})
    assert client.post("/signup/confirm/", step_data("confirm", accept_terms="on"))["Location"] == "/signup/done/"
