"""Bounded sessions (finding 2): whatever is posted, the stored wizard stays within 2 KB, and a refusal says why."""

import json

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session

from tests.conftest import ACCOUNT, PROFILE, WIZARD_KEY, step_data

pytestmark = pytest.mark.django_db

# As long as the field allows, in a CJK character that takes four bytes in UTF-8.
LONG_NAME = "𠀀" * 150


def stored_bytes(client):
    """The session as the database engine stores it, and the wizard in it as UTF-8 JSON."""
    session = client.session
    if settings.SESSION_ENGINE in ("django.contrib.sessions.backends.db", "onboarding.infra.db_sessions"):
        row = Session.objects.get(session_key=session.session_key).session_data
    else:  # Redis keeps the dict itself; measure what a database row would hold
        row = session.encode(dict(session.items()))
    wizard = session.get(WIZARD_KEY, {})
    return len(row), len(json.dumps(wizard, ensure_ascii=False, separators=(",", ":")).encode())


def assert_bounded(client):
    row, wizard = stored_bytes(client)
    assert wizard <= 2048 and row <= 2048 * 4 // 3 + 200, (row, wizard)


def test_a_huge_answer_is_refused_before_it_is_read_and_nothing_is_stored(signup, client):
    signup(until="account")
    before = client.session.get(WIZARD_KEY)  # none yet: a visit stores no wizard (second review, finding 8)
    response = client.post("/signup/account/", step_data("account", username="a" * 2_400_000, email="x@example.com"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "What was sent was far bigger than this page's form needs, so none of it was read or saved." in page
    assert client.session.get(WIZARD_KEY) == before
    assert_bounded(client)


def test_an_answer_sent_many_times_is_refused_and_nothing_is_stored(signup, client):
    signup(until="profile")
    before = client.session[WIZARD_KEY]
    data = step_data("profile", **PROFILE)
    response = client.post("/signup/profile/", {**data, "profile-phone": ["+82 10 1234 5678"] * 50})
    assert response.status_code == 400
    assert "The page sent “Phone number (optional)” more than once. Reload the page and try again." in (
        response.content.decode()
    )
    assert client.session[WIZARD_KEY] == before

    response = client.post("/signup/profile/", {**data, "profile-phone": ["1"] * 990})  # past the field count
    assert response.status_code == 400
    assert client.session[WIZARD_KEY] == before
    assert_bounded(client)


def test_back_with_an_overlong_answer_is_refused_and_nothing_is_stored(signup, client):
    signup(until="profile")
    before = client.session[WIZARD_KEY]
    response = client.post(
        "/signup/profile/", {**step_data("profile", real_name="x" * 151), "wizard_goto_step": "account"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "“Full name” is too long to keep: shorten it to 150 characters or fewer." in page
    assert "Nothing you sent on this page was saved." in page
    assert client.session[WIZARD_KEY] == before


def test_answers_that_fit_one_by_one_but_not_together_are_refused(signup, client):
    signup(until="profile", account={**ACCOUNT, "username": "가" * 150, "email": "a" * 60 + "@example.com"})
    before = client.session[WIZARD_KEY]
    profile = {"real_name": LONG_NAME, "preferred_name": LONG_NAME, "phone": ""}
    response = client.post("/signup/profile/", step_data("profile", **profile))
    assert response.status_code == 400
    assert "Your answers together are too long to keep. Shorten some of them, then try again." in (
        response.content.decode()
    )
    assert client.session[WIZARD_KEY] == before
    assert_bounded(client)


def test_a_whole_signup_with_long_answers_fits(signup, client):
    long_email = "a" * 64 + "@" + "b" * 60 + ".example.com"
    signup(until="confirm", account={**ACCOUNT, "email": long_email}, profile={**PROFILE, "real_name": "김" * 100})
    assert client.get("/signup/confirm/").status_code == 200
    assert_bounded(client)
