"""Abuse limits: the per-IP rate limit on the wizard's POSTs and the honeypot field."""

import ipaddress
import logging
import re
from pathlib import Path

import pytest
from django.test import Client

from onboarding.limits import HONEYPOT_FIELD
from onboarding.models import User
from tests.conftest import ACCOUNT, PASSWORD, PROFILE, WIZARD_KEY, step_data, walk_wizard
from tests.servers import client_address

ANSWERS = (ACCOUNT["username"], ACCOUNT["email"], PASSWORD, PROFILE["real_name"], PROFILE["phone"])

pytestmark = pytest.mark.django_db


@pytest.fixture
def logs(caplog):
    """What the onboarding loggers wrote (they do not propagate to the root logger, where caplog listens)."""
    logger = logging.getLogger("onboarding")
    logger.addHandler(caplog.handler)
    yield caplog
    logger.removeHandler(caplog.handler)


# Rate limit --------------------------------------------------------------------


def test_over_the_limit_a_post_gets_our_429_page_and_changes_nothing(settings, logs):
    settings.SIGNUP_RATE_LIMIT = "3/h"
    address = client_address(3600)
    client = Client(REMOTE_ADDR=address)
    walk_wizard(client)  # two POSTs
    response = client.post("/signup/confirm/", step_data("confirm"))  # the third: terms not ticked
    assert response.status_code == 200
    stored = client.session[WIZARD_KEY]

    response = client.post("/signup/confirm/", step_data("confirm", accept_terms="on"))

    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert "<h1>Too many attempts</h1>" in page
    assert "Please wait a minute, then try again. The answers you gave so far are kept." in page
    assert User.objects.count() == 0
    assert client.session[WIZARD_KEY] == stored

    rejections = [r for r in logs.records if "rate limit" in r.getMessage()]
    assert len(rejections) == 1 and address in rejections[0].getMessage()
    for answer in ANSWERS:
        assert answer not in logs.text

    # Once the limit allows it again (here: lifted), the same "Create account" works.
    settings.SIGNUP_RATE_LIMIT = "0"
    assert client.post("/signup/confirm/", step_data("confirm", accept_terms="on"))["Location"] == "/signup/done/"
    assert User.objects.get().username == ACCOUNT["username"]


def test_the_limit_counts_each_client_address_on_its_own(settings):
    settings.SIGNUP_RATE_LIMIT = "2/h"
    first, second = Client(REMOTE_ADDR=client_address(3600)), Client(REMOTE_ADDR=client_address(3600))
    bad = step_data("account", username="", email="", password1="", password2="")
    assert [first.post("/signup/account/", bad).status_code for _ in range(3)] == [200, 200, 429]
    assert second.post("/signup/account/", bad).status_code == 200


def test_gets_are_not_counted(settings):
    settings.SIGNUP_RATE_LIMIT = "1/h"
    client = Client(REMOTE_ADDR=client_address(3600))
    assert all(client.get("/signup/account/").status_code == 200 for _ in range(5))
    assert client.post("/signup/account/", step_data("account", **ACCOUNT)).status_code == 302


def test_zero_lifts_the_limit(settings):
    settings.SIGNUP_RATE_LIMIT = "0"
    client = Client(REMOTE_ADDR=client_address(3600))
    bad = step_data("account", username="", email="", password1="", password2="")
    assert {client.post("/signup/account/", bad).status_code for _ in range(25)} == {200}


def test_behind_a_proxy_the_limit_uses_the_address_the_proxy_reports(settings, logs):
    settings.SIGNUP_RATE_LIMIT = "1/h"
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.1")]
    alice, bob = client_address(3600), client_address(3600)
    while bob == alice:
        bob = client_address(3600)
    bad = step_data("account", username="", email="", password1="", password2="")

    def post(forwarded_for):
        # Every request reaches us from the proxy on 127.0.0.1; the last X-Forwarded-For hop is what it saw.
        return Client(REMOTE_ADDR="127.0.0.1").post(
            "/signup/account/", bad, headers={"X-Forwarded-For": f"198.51.100.9, {forwarded_for}"}
        )

    assert post(alice).status_code == 200
    assert post(alice).status_code == 429
    assert post(bob).status_code == 200
    assert f"ip={alice}" in logs.text


def test_a_malformed_proxy_header_falls_back_to_the_peer_address(settings):
    settings.SIGNUP_RATE_LIMIT = "1/h"
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    peer = client_address(3600)
    settings.TRUSTED_PROXIES = [ipaddress.ip_network(peer)]
    client = Client(REMOTE_ADDR=peer, headers={"X-Forwarded-For": "not an address"})
    bad = step_data("account", username="", email="", password1="", password2="")
    assert [client.post("/signup/account/", bad).status_code for _ in range(2)] == [200, 429]


# Honeypot ----------------------------------------------------------------------


def test_the_honeypot_is_on_every_step_hidden_from_people_and_screen_readers(signup):
    client = signup(until="confirm")
    css = (Path(__file__).resolve().parent.parent / "onboarding/static/onboarding/site.css").read_text()
    assert re.search(r"\.honeypot \{[^}]*position: absolute; left: -10000px;", css)
    for step in ("account", "profile", "confirm"):
        page = client.get(f"/signup/{step}/").content.decode()
        wrapper = re.search(r'<div class="honeypot" aria-hidden="true">(.*?)</div>', page, re.S)
        assert wrapper, step
        field = re.search(r"<input [^>]*>", wrapper.group(1)).group(0)
        assert f'name="{HONEYPOT_FIELD}"' in field
        assert 'tabindex="-1"' in field and 'autocomplete="off"' in field and 'value=""' in field
        assert " style=" not in wrapper.group(0)


def test_a_filled_honeypot_on_the_last_step_creates_nothing_and_looks_accepted(signup, logs):
    client = signup(until="confirm")
    stored = client.session[WIZARD_KEY]

    response = client.post(
        "/signup/confirm/", {**step_data("confirm", accept_terms="on"), HONEYPOT_FIELD: "http://spam.example"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/signup/confirm/"
    assert User.objects.count() == 0
    assert client.session[WIZARD_KEY] == stored
    assert "success_id" not in client.session
    assert "honeypot" in logs.text and "ip=127.0.0.1" in logs.text
    assert "spam.example" not in logs.text
    for answer in ANSWERS:
        assert answer not in logs.text


def test_a_filled_honeypot_on_the_first_step_stores_nothing(client):
    client.get("/signup/")
    response = client.post("/signup/account/", {**step_data("account", **ACCOUNT), HONEYPOT_FIELD: "x"})
    assert response["Location"] == "/signup/account/"
    assert WIZARD_KEY not in client.session  # not even an empty wizard (second review, finding 8)
    assert HONEYPOT_FIELD not in str(dict(client.session))


def test_an_empty_honeypot_is_what_people_send(client):
    client.get("/signup/")
    response = client.post("/signup/account/", {**step_data("account", **ACCOUNT), HONEYPOT_FIELD: ""})
    assert response["Location"] == "/signup/profile/"
    assert HONEYPOT_FIELD not in str(dict(client.session))
