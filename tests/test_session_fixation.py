"""A new session key whenever the signup stores something, and `__Host-` cookies over HTTPS (finding 2: a
planted session that held a started signup kept its key, so the planter read the answers and finished as them).
"""

import json
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client

from onboarding.models import User
from tests.conftest import ACCOUNT, PROFILE, WIZARD_KEY, signup_state, step_data
from tests.test_production import PRODUCTION, manage

pytestmark = pytest.mark.django_db


def session_exists(key):
    return import_module(settings.SESSION_ENGINE).SessionStore().exists(key)


def key_of(client):
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_a_planted_started_signup_gives_the_planter_nothing():
    planter = Client()
    # The planter starts a signup (the wizard gets its id), then plants the session in the victim's browser.
    planter.post("/signup/account/", step_data("account", username="", email=""))
    assert signup_state(planter).wizard_id
    planted = key_of(planter)
    victim = Client()
    victim.cookies[settings.SESSION_COOKIE_NAME] = planted

    keys = [planted]
    for step, fields in (("account", ACCOUNT), ("profile", PROFILE)):
        assert victim.post(f"/signup/{step}/", step_data(step, **fields)).status_code == 302
        keys.append(key_of(victim))
    assert len(set(keys)) == 3  # a new key at each stored step
    assert not any(session_exists(key) for key in keys[:-1])

    confirm = planter.get("/signup/confirm/", follow=True).content.decode()
    assert "Kim Minji" not in confirm and ACCOUNT["email"] not in confirm
    planter.post("/signup/confirm/", step_data("confirm", accept_terms="on"))
    assert User.objects.count() == 0
    assert SESSION_KEY not in planter.session

    assert victim.post("/signup/confirm/", step_data("confirm", accept_terms="on"))["Location"] == "/signup/done/"
    assert key_of(victim) != keys[-1]  # and at the end
    assert User.objects.get().username == "minji"
    assert SESSION_KEY not in planter.session


def test_back_and_the_language_switch_change_the_key_too_and_keep_the_answers(signup, client):
    signup(until="confirm")
    before = key_of(client)
    client.post("/signup/confirm/", {**step_data("confirm"), "wizard_goto_step": "profile"})
    after_back = key_of(client)
    client.post("/signup/profile/", {**step_data("profile", **PROFILE), "language": "ko", "next": "/signup/profile/"})
    assert len({before, after_back, key_of(client)}) == 3
    assert client.session[WIZARD_KEY]["step_data"]["profile"]["profile-real_name"] == ["Kim Minji"]


def test_over_https_the_session_and_csrf_cookies_carry_the_host_prefix():
    script = (
        "import json; from django.conf import settings; from django.test import Client, override_settings; "
        "plain_static = {**settings.STORAGES, 'staticfiles': {'BACKEND': "
        "'django.contrib.staticfiles.storage.StaticFilesStorage'}}; "  # no collectstatic in a test
        "response = override_settings(STORAGES=plain_static)(Client().get)("
        "'/signup/account/', secure=True, HTTP_HOST='signup.example.com'); "
        "cookie = response.cookies[settings.CSRF_COOKIE_NAME]; "
        "print(json.dumps([settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, "
        "bool(cookie['secure']), cookie['path'], cookie['domain'], settings.SESSION_COOKIE_SECURE]))"
    )
    result = manage("shell", "-c", script, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == ["__Host-sessionid", "__Host-csrftoken", True, "/", "", True]

    plain = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)",
        **PRODUCTION,
        DJANGO_HTTPS="0",
    )
    # Browsers refuse __Host- cookies over plain HTTP.
    assert plain.stdout.splitlines()[-1].split() == ["sessionid", "csrftoken"]
