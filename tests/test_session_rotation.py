"""A new session key when a signup starts, at each stored step and when it ends, in every mode, keeping the contents
(finding 8 of the first review, finding 2 of the second); no session at all for a visit (second review, finding 8)."""

from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session

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
    assert client.session.session_key == planted  # a page view changes nothing
    keys = [planted]
    for step, fields in (("account", ACCOUNT), ("profile", PROFILE)):
        assert client.post(f"/signup/{step}/", step_data(step, **fields)).status_code == 302
        keys.append(client.session.session_key)
        assert not session_store()().exists(keys[-2])  # the key before sees nothing of the signup
    assert client.session["planted"] == "kept"  # what the session held is kept
    assert WIZARD_KEY in client.session
    assert client.post("/signup/confirm/", step_data("confirm", accept_terms="on")).status_code == 302

    ended = client.session.session_key
    assert len({*keys, ended}) == 4
    assert not session_store()().exists(keys[-1])
    done = client.get("/signup/done/").content.decode()
    assert "Kim Minji" in done and ACCOUNT["email"] in done  # the answers the done page shows came along


def test_a_visit_stores_no_session_until_an_answer_is_sent(client, settings):
    settings.SESSION_ENGINE = "onboarding.infra.db_sessions"
    for url in ("/signup/", "/signup/account/", "/signup/profile/", "/signup/confirm/", "/signup/account/"):
        client.get(url)
    assert settings.SESSION_COOKIE_NAME not in client.cookies
    assert Session.objects.count() == 0

    client.post("/signup/account/", step_data("account", username="minji"))
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=key).count() == 1 and Session.objects.count() == 1
    assert client.session[WIZARD_KEY]["step_data"]["account"]["account-username"] == ["minji"]
