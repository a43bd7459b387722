"""A new session key when a signup starts and when it ends, in every mode, keeping the contents (finding 8)."""

from importlib import import_module

import pytest
from django.conf import settings

from tests.conftest import ACCOUNT, PROFILE, WIZARD_KEY, step_data

pytestmark = pytest.mark.django_db


def session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def planted_session(client):
    """A session an attacker made and planted in the person's browser: they know its key."""
    store = session_store()()
    store["planted"] = "kept"
    store.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
    return store.session_key


@pytest.mark.parametrize("approval", [False, True], ids=["logged in at the end", "awaiting approval"])
def test_the_session_key_changes_when_a_signup_starts_and_ends(client, approval, settings):
    settings.SIGNUP_REQUIRES_APPROVAL = approval
    planted = planted_session(client)

    client.get("/signup/")
    started = client.session.session_key
    assert started != planted
    assert not session_store()().exists(planted)  # the planted key sees nothing of the signup
    assert client.session["planted"] == "kept"  # what the session held is kept
    assert WIZARD_KEY in client.session

    for step, fields in (("account", ACCOUNT), ("profile", PROFILE)):
        assert client.post(f"/signup/{step}/", step_data(step, **fields)).status_code == 302
    assert client.session.session_key == started  # steps do not change it: only the start and the end
    assert client.post("/signup/confirm/", step_data("confirm", accept_terms="on")).status_code == 302

    ended = client.session.session_key
    assert ended not in (started, planted)
    assert not session_store()().exists(started)
    done = client.get("/signup/done/").content.decode()
    assert "Kim Minji" in done and ACCOUNT["email"] in done  # the answers the done page shows came along


def test_an_unsaved_first_visit_gets_one_session(client):
    client.get("/signup/")
    key = client.session.session_key
    assert key and session_store()().exists(key)
