"""The proof-of-work at the account step (SIGNUP_CHALLENGE): checking a solution, refusing a POST without one,
when `auto` asks, and that the load generator's signups are not asked."""

import base64
import html
import json
import re
import time

import altcha
import pytest
from django.test import Client
from django.utils import translation

from bench.signup import Response, signup_flow
from onboarding.access import challenge
from onboarding.limits import HONEYPOT_FIELD
from onboarding.models import Profile, User
from onboarding.review import risk
from tests.conftest import ACCOUNT, PROFILE, WIZARD_KEY, step_data
from tests.servers import client_address

pytestmark = pytest.mark.django_db


def solve(issued):
    """What the browser's script sends for a challenge as issued (ALTCHA's payload, base64 JSON)."""
    found = altcha.solve_challenge_v1(issued["challenge"], issued["salt"], "SHA-256", issued["maxNumber"])
    payload = {key: issued[key] for key in ("algorithm", "challenge", "salt", "signature")}
    return base64.b64encode(json.dumps({**payload, "number": found.number}).encode()).decode()


def payload_with(solution, **changes):
    data = json.loads(base64.b64decode(solution))
    return base64.b64encode(json.dumps({**data, **changes}).encode()).decode()


def challenge_on(page):
    """The challenge a page hands to the script, from its data attributes; None when it carries none."""
    box = re.search(r"<div class=\"signup-challenge\" data-challenge ([^>]*)>", page)
    if not box:
        return None
    attrs = {name: html.unescape(value) for name, value in re.findall(r'data-([\w-]+)="([^"]*)"', box.group(1))}
    return {
        "algorithm": attrs["algorithm"],
        "challenge": attrs["challenge-hash"],
        "salt": attrs["salt"],
        "signature": attrs["signature"],
        "maxNumber": int(attrs["max-number"]),
    }


# Checking a solution -----------------------------------------------------------------------------


@pytest.fixture
def session():
    return {}


def test_a_solution_of_a_challenge_issued_to_this_session_passes_once(session):
    solution = solve(challenge.issue(session))
    assert challenge.verify(session, solution) is None
    assert challenge.verify(session, solution) == "replayed"


def test_a_wrong_number_is_refused(session):
    issued = challenge.issue(session)
    solution = solve(issued)
    number = json.loads(base64.b64decode(solution))["number"]
    assert challenge.verify(session, payload_with(solution, number=number + 1)) == "invalid"
    assert challenge.verify(session, solution) is None  # a wrong try does not spend the right one


def test_an_expired_solution_is_refused(session):
    solution = solve(challenge.issue(session, now=time.time() - challenge.LIFETIME.total_seconds() - 1))
    assert challenge.verify(session, solution) == "expired"


def test_a_forged_challenge_is_refused(session):
    issued = challenge.issue(session)
    solution = solve(issued)
    # A later expiry written into the salt: the hash no longer matches the signature.
    later = re.sub(r"expires=\d+", f"expires={int(time.time()) + 10**6}", issued["salt"])
    assert challenge.verify(session, payload_with(solution, salt=later)) == "invalid"
    # A challenge of the client's own making, signed with another key, hashed and solved correctly.
    own = altcha.create_challenge_v1(hmac_key="not ours", max_number=1000, params={"b": "x"}).to_dict()
    assert challenge.verify(session, solve(own)) == "invalid"
    # The right challenge with another signature; and things that are not a payload at all.
    assert challenge.verify(session, payload_with(solution, signature="0" * 64)) == "invalid"
    for junk in ("not base64!", base64.b64encode(b"[1, 2]").decode(), base64.b64encode(b"{}").decode(), "x" * 5000):
        assert challenge.verify(session, junk) == "invalid"
    assert challenge.verify(session, "") == "missing"


def test_a_solution_works_only_in_the_session_it_was_issued_to(session):
    solution = solve(challenge.issue(session))
    assert challenge.verify({}, solution) == "other_session"
    assert challenge.verify(challenge_session := {}, solution) == "other_session"
    challenge.issue(challenge_session)  # that session has its own binding now: still not this one
    assert challenge.verify(challenge_session, solution) == "other_session"
    assert challenge.verify(session, solution) is None


# The account step in `always` ---------------------------------------------------------------------


def test_always_the_account_page_carries_a_challenge_and_our_script(settings, client):
    settings.SIGNUP_CHALLENGE = "always"
    page = client.get("/signup/account/").content.decode()
    assert challenge_on(page) is not None
    assert '<script src="/static/onboarding/challenge.js" defer></script>' in page
    assert 'role="status" aria-live="polite"' in page
    # Our own files only; nothing inline.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)


@pytest.mark.parametrize("language", ["en", "ko"])
def test_always_an_account_post_without_a_solution_is_refused_and_keeps_what_was_typed(settings, language):
    settings.SIGNUP_CHALLENGE = "always"
    client = Client(headers={"Accept-Language": language})
    client.get("/signup/account/")
    response = client.post("/signup/account/", step_data("account", **ACCOUNT))

    assert response.status_code == 400
    page = response.content.decode()
    with translation.override(language):
        assert html.escape(str(challenge.REFUSAL)) in page
    if language == "ko":
        assert "JavaScript" in page and "계속" in page  # the Korean words, not the English ones
        assert "Before going on" not in page
    # Nothing is lost: username and email shown again, the password kept as its hash, no step passed.
    assert f'value="{ACCOUNT["username"]}"' in page and f'value="{ACCOUNT["email"]}"' in page
    wizard = client.session[WIZARD_KEY]
    assert wizard["extra_data"]["password_hash"]
    assert "account" not in wizard["extra_data"]["valid"]
    assert ACCOUNT["password1"] not in str(dict(client.session))
    # A new challenge to solve, and the page then sends the form again by itself.
    issued = challenge_on(page)
    assert issued is not None and "data-resubmit" in page

    # With the solution (and the password fields left blank, as the page now allows), the step is taken.
    data = step_data("account", username=ACCOUNT["username"], email=ACCOUNT["email"])
    response = client.post("/signup/account/", {**data, challenge.SOLUTION_FIELD: solve(issued)})
    assert response.status_code == 302 and response["Location"] == "/signup/profile/"
    # The same solution again is refused.
    response = client.post("/signup/account/", {**data, challenge.SOLUTION_FIELD: solve(issued)})
    assert response.status_code == 400


def test_always_a_solution_from_another_browser_is_refused(settings):
    settings.SIGNUP_CHALLENGE = "always"
    solver, sender = Client(), Client()
    issued = challenge_on(solver.get("/signup/account/").content.decode())
    sender.get("/signup/account/")
    response = sender.post("/signup/account/", {**step_data("account", **ACCOUNT), "challenge": solve(issued)})
    assert response.status_code == 400


def test_off_never_asks(settings, client):
    settings.SIGNUP_CHALLENGE = "off"
    assert challenge_on(client.get("/signup/account/").content.decode()) is None
    client.post("/signup/account/", {**step_data("account", **ACCOUNT), HONEYPOT_FIELD: "x"})
    assert client.post("/signup/account/", step_data("account", **ACCOUNT)).status_code == 302


# When `auto` asks -----------------------------------------------------------------------------------


def test_auto_does_not_ask_a_person_in_a_normal_browser(client):
    page = client.get("/signup/account/").content.decode()
    assert challenge_on(page) is None and "challenge.js" not in page
    assert client.post("/signup/account/", step_data("account", **ACCOUNT)).status_code == 302


def test_auto_asks_a_browser_that_filled_the_honeypot_and_the_account_says_so(client):
    client.get("/signup/account/")
    client.post("/signup/account/", {**step_data("account", **ACCOUNT), HONEYPOT_FIELD: "http://spam.example"})
    page = client.get("/signup/account/").content.decode()
    issued = challenge_on(page)
    assert issued is not None
    assert client.post("/signup/account/", step_data("account", **ACCOUNT)).status_code == 400

    response = client.post("/signup/account/", {**step_data("account", **ACCOUNT), "challenge": solve(issued)})
    assert response["Location"] == "/signup/profile/"
    client.post("/signup/profile/", step_data("profile", **PROFILE))
    client.post("/signup/confirm/", step_data("confirm", accept_terms="on"))
    profile = Profile.objects.get(user__username=ACCOUNT["username"])
    assert "challenge_needed" in profile.risk_reasons


def test_auto_asks_a_client_near_its_limit(settings):
    settings.SIGNUP_RATE_LIMIT = "4/h"
    client = Client(REMOTE_ADDR=client_address(3600))
    client.get("/signup/account/")
    statuses = [client.post("/signup/account/", step_data("account", **ACCOUNT)).status_code for _ in range(3)]
    assert statuses == [302, 302, 400]  # the third of four: the limit is nearly reached


def fill_network(address, count):
    network = risk.network_hash(address)
    for _ in range(count):
        risk.busy_network(network)


def test_auto_asks_answers_sent_faster_than_a_person_types_from_a_busy_network():
    address = client_address(3600)
    fill_network(address, challenge.BUSY_NETWORK_SIGNUPS)
    client = Client(REMOTE_ADDR=address)
    page = client.get("/signup/account/").content.decode()
    # That network's pages carry a challenge, solved unseen while the person types.
    assert challenge_on(page) is not None
    stamp = re.search(r'name="served" value="([^"]+)"', page).group(1)
    response = client.post("/signup/account/", {**step_data("account", **ACCOUNT), "served": stamp})
    assert response.status_code == 400

    # A person takes longer than FASTEST_ACCOUNT_SECONDS: not asked, even from that network.
    client = Client(REMOTE_ADDR=address)
    page = client.get("/signup/account/").content.decode()
    stamp = re.search(r'name="served" value="([^"]+)"', page).group(1)
    time.sleep(challenge.FASTEST_ACCOUNT_SECONDS + 0.1)
    response = client.post("/signup/account/", {**step_data("account", **ACCOUNT), "served": stamp})
    assert response.status_code == 302


def test_fast_answers_alone_or_a_busy_network_alone_are_not_asked():
    client = Client(REMOTE_ADDR=client_address(3600))
    assert client.post("/signup/account/", step_data("account", **ACCOUNT)).status_code == 302  # no stamp: fast

    address = client_address(3600)
    fill_network(address, challenge.BUSY_NETWORK_SIGNUPS)
    client = Client(REMOTE_ADDR=address)
    client.get("/signup/account/")
    served = challenge.served_stamp()
    time.sleep(challenge.FASTEST_ACCOUNT_SECONDS + 0.1)
    assert client.post("/signup/account/", {**step_data("account", **ACCOUNT), "served": served}).status_code == 302


def test_the_load_generator_is_not_asked_in_auto(client):
    """bench/load.py's signups (one per session, at machine speed, all from this machine) go through in `auto`."""
    for number in range(challenge.BUSY_NETWORK_SIGNUPS + 3):
        client.cookies.clear()
        flow = signup_flow(f"bench{number}")
        request = next(flow)
        try:
            while True:
                if request.method == "GET":
                    response = client.get(request.url)
                else:
                    response = client.post(request.url, request.data)
                request = flow.send(
                    Response(response.status_code, response.get("Location", ""), response.content.decode())
                )
        except StopIteration:
            pass
    assert User.objects.filter(username__startswith="bench").count() == challenge.BUSY_NETWORK_SIGNUPS + 3
    assert not any("challenge_needed" in p.risk_reasons for p in Profile.objects.all())
