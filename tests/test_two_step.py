"""Two-step verification (onboarding/twostep/): turning it on with a code computed from the setup key on the
page, the login's second step, recovery codes once each, no replays, a ±1 step window, limits on guessing,
and "confirm it's you" before turning it off or making new codes."""

import html
import re
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from onboarding.account import reauth
from onboarding.models import RecoveryCode, ReviewStatus, TwoStepDevice
from onboarding.session_keys import CONFIRMED_AT_KEY, LOGIN_SECOND_STEP, TWO_STEP_LOGIN, TWO_STEP_SETUP
from onboarding.twostep import services, totp
from tests.conftest import PASSWORD
from tests.servers import client_address

pytestmark = pytest.mark.django_db

TURN_ON = "/account/two-step/turn-on/"
CODES = "/account/two-step/recovery-codes/"


def setup_key(page):
    return re.search(r'id="setup-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")


def shown_codes(page):
    return re.findall(r"<li><code>([a-z2-9-]+)</code></li>", page)


def next_code(secret):
    """A code the app will show within the window and that no earlier login used: the next step's."""
    return totp.code_at(secret, totp.current_step() + 1)


def turn_on(client):
    """Turn two-step verification on as the page asks; (secret, recovery codes as shown)."""
    page = client.get(TURN_ON).text
    secret = setup_key(page)
    done = client.post(TURN_ON, {"code": totp.code_at(secret, totp.current_step())})
    assert done.status_code == 302 and done["Location"] == CODES, done.text[:3000]
    codes = shown_codes(client.get(CODES).text)
    return secret, codes


def log_in(client, username, path="/login/", **extra):
    client.logout()
    return client.post(path, {"username": username, "password": PASSWORD, **extra})


def logged_in(client):
    return SESSION_KEY in client.session


@pytest.fixture
def minji(client, make_user):
    user = make_user("minji")
    client.force_login(user)
    return user


def test_turning_on_shows_a_qr_code_in_the_page_and_the_key_and_asks_for_a_code(client, minji):
    page = client.get(TURN_ON)
    text = page.text
    assert page.status_code == 200
    # The QR code is an SVG in the page: no image from elsewhere, no data: address.
    assert '<svg role="img" aria-label="QR code for setting up your authenticator app"' in text
    assert "data:image" not in text and "<img" not in text.split("<main")[1]
    secret = setup_key(text)
    assert len(secret) == 32 and re.fullmatch(r"[A-Z2-7]+", secret)
    assert re.search(r'id="setup-key">(?:[A-Z2-7]{4} ){7}[A-Z2-7]{4}<', text)  # grouped for typing
    field = re.search(r"<input[^>]*name=\"code\"[^>]*>", text).group(0)
    assert 'autocomplete="one-time-code"' in field and 'inputmode="numeric"' in field
    assert "pattern=" not in field and 'maxlength="20"' in field  # a pasted "123 456" goes in whole
    # The key waits in the session until a code proves the app has it; nothing is stored yet.
    assert client.session[TWO_STEP_SETUP]["secret"] == secret
    assert not TwoStepDevice.objects.exists()
    # A reload shows the same key (the person may have scanned it already).
    assert setup_key(client.get(TURN_ON).text) == secret


def test_a_wrong_or_malformed_code_leaves_it_off(client, minji):
    secret = setup_key(client.get(TURN_ON).text)
    right = totp.code_at(secret, totp.current_step())
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    page = client.post(TURN_ON, {"code": wrong})
    assert page.status_code == 200 and "That code is not right." in html.unescape(page.text)
    page = client.post(TURN_ON, {"code": "12345a"})
    assert "Enter the 6 digits your authenticator app shows" in page.text
    assert not TwoStepDevice.objects.exists()
    assert setup_key(page.text) == secret


def test_a_right_code_turns_it_on_and_shows_ten_recovery_codes_once(client, minji, sent_mail):
    secret, codes = turn_on(client)
    assert TwoStepDevice.objects.get(user=minji).secret == secret
    assert TWO_STEP_SETUP not in client.session
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", code) for code in codes)
    # Stored as keyed hashes only.
    stored = list(RecoveryCode.objects.filter(user=minji).values_list("code_hash", flat=True))
    assert len(stored) == 10 and not {code.replace("-", "") for code in codes} & set(stored)
    assert sorted(stored) == sorted(totp.recovery_hash(code) for code in codes)
    # Kept in the security log, and the account's address is told.
    assert minji.security_events.filter(kind="two_step_on").count() == 1
    assert [m.subject for m in sent_mail() if m.to == [minji.email]] == [
        "Two-step verification is on for your Maru account"
    ]
    # Downloaded as a text file from this site.
    download = client.get("/account/two-step/recovery-codes.txt")
    assert download["Content-Type"] == "text/plain; charset=utf-8"
    assert download["Content-Disposition"] == 'attachment; filename="recovery-codes.txt"'
    assert all(code in download.text for code in codes)
    # "I have saved my codes": they are gone for good.
    assert client.post(CODES)["Location"] == "/account/"
    assert client.get(CODES)["Location"] == "/account/"
    assert client.get("/account/two-step/recovery-codes.txt").status_code == 404
    home = client.get("/account/").text
    assert "You have 10 recovery codes left." in home and "New recovery codes" in home and "Turn off" in home


def test_a_password_login_then_asks_for_a_code_and_only_then_logs_in(client, minji):
    secret, _ = turn_on(client)
    after_password = log_in(client, "minji", next="/account/details/")
    assert after_password.status_code == 302 and after_password["Location"] == "/login/code/"
    assert not logged_in(client)
    assert client.get("/account/")["Location"].startswith("/login/")
    page = client.get("/login/code/").text
    assert 'autocomplete="one-time-code"' in page and "Use a recovery code" in page
    code = next_code(secret)
    done = client.post("/login/code/", {"code": f" {code[:3]} {code[3:]} "})  # pasted with spaces
    assert done.status_code == 302 and done["Location"] == "/account/details/"
    assert logged_in(client) and client.session[LOGIN_SECOND_STEP] == "code"
    assert TWO_STEP_LOGIN not in client.session
    assert time.time() - client.session[CONFIRMED_AT_KEY] < 5  # a login counts as "confirm it's you"


def test_a_code_is_taken_once(client, minji):
    secret, _ = turn_on(client)
    code = next_code(secret)
    log_in(client, "minji")
    assert client.post("/login/code/", {"code": code}).status_code == 302
    log_in(client, "minji")
    replay = client.post("/login/code/", {"code": code})
    assert replay.status_code == 200 and "That code is not right." in html.unescape(replay.text)
    assert not logged_in(client)


def test_codes_of_the_steps_next_to_now_are_taken_and_no_further(minji):
    secret = totp.new_secret()
    TwoStepDevice.objects.create(user=minji, secret=secret)
    now = totp.current_step()
    assert not services.use_code(user=minji, code=totp.code_at(secret, now - 2))
    assert not services.use_code(user=minji, code=totp.code_at(secret, now + 2))
    assert services.use_code(user=minji, code=totp.code_at(secret, now - 1))
    # Once a step is used, neither it nor an earlier one works again, though both are in the window.
    assert not services.use_code(user=minji, code=totp.code_at(secret, now - 1))
    assert services.use_code(user=minji, code=totp.code_at(secret, now))
    assert not services.use_code(user=minji, code=totp.code_at(secret, now - 1))
    assert services.use_code(user=minji, code=totp.code_at(secret, now + 1))
    assert not services.use_code(user=minji, code=totp.code_at(secret, now))


def test_of_two_requests_with_one_code_at_the_same_moment_only_one_is_taken(minji, monkeypatch):
    secret = totp.new_secret()
    device = TwoStepDevice.objects.create(user=minji, secret=secret)
    code = totp.code_at(secret, totp.current_step())
    # Both requests read the device before either wrote (as two servers at once would).
    stale = TwoStepDevice.objects.get(pk=device.pk)
    assert services.use_code(user=minji, code=code)
    monkeypatch.setattr(services, "device_of", lambda user: stale)
    assert stale.last_step == 0 and not services.use_code(user=minji, code=code)


def test_each_recovery_code_works_once(client, minji):
    _, codes = turn_on(client)
    log_in(client, "minji")
    assert "Use a code from your app instead" in client.get("/login/recovery-code/").text
    # Typed in capitals and without its dashes: the same code.
    done = client.post("/login/recovery-code/", {"recovery_code": codes[0].replace("-", " ").upper()})
    assert done.status_code == 302 and logged_in(client)
    assert client.session[LOGIN_SECOND_STEP] == "recovery_code"
    assert minji.security_events.filter(kind="recovery_code_used").count() == 1
    assert "You have 9 codes left." in client.get("/account/").text
    log_in(client, "minji")
    again = client.post("/login/recovery-code/", {"recovery_code": codes[0]})
    assert again.status_code == 200 and "it was used already" in again.text and not logged_in(client)
    assert client.post("/login/recovery-code/", {"recovery_code": codes[1]}).status_code == 302
    assert RecoveryCode.objects.filter(user=minji, used_at__isnull=False).count() == 2


def test_the_waiting_login_ends_after_a_few_minutes(client, minji):
    secret, _ = turn_on(client)
    log_in(client, "minji")
    session = client.session
    session[TWO_STEP_LOGIN] = {**session[TWO_STEP_LOGIN], "until": time.time() - 1}
    session.save()
    late = client.post("/login/code/", {"code": next_code(secret)}, follow=True)
    assert late.redirect_chain[0][0] == "/login/"
    assert "That took too long, so we stopped. Log in again." in late.text and not logged_in(client)


def test_the_code_page_without_a_password_first_goes_to_the_login(client):
    assert client.get("/login/code/")["Location"] == "/login/"
    assert client.post("/login/recovery-code/", {"recovery_code": "abcd"})["Location"] == "/login/"


def test_the_password_logins_refusals_come_first(client, minji):
    turn_on(client)
    minji.is_active = False
    minji.save()
    minji.profile.review_status = ReviewStatus.PENDING
    minji.profile.save()
    page = log_in(client, "minji")
    assert page.status_code == 200 and "Your account is waiting for review." in page.text
    assert TWO_STEP_LOGIN not in client.session


def test_the_admin_login_asks_for_the_code_too(client, django_user_model):
    boss = django_user_model.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    client.force_login(boss)
    secret, _ = turn_on(client)
    after_password = log_in(client, "boss", path="/admin/login/?next=/admin/")
    assert after_password["Location"] == "/login/code/" and not logged_in(client)
    assert client.post("/login/code/", {"code": next_code(secret)})["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_wrong_codes_are_limited_like_passwords(settings, client, minji):
    settings.LOGIN_RATE_LIMIT, settings.LOGIN_USERNAME_RATE_LIMIT = "3/h", "4/h"
    client.defaults["REMOTE_ADDR"] = client_address(3600)
    secret, codes = turn_on(client)
    log_in(client, "minji")
    # The code typed to turn it on counted (1); the password's POST counts towards the login limits, not these.
    assert client.post("/login/code/", {"code": "000000"}).status_code == 200
    assert client.post("/login/recovery-code/", {"recovery_code": "aaaa-bbbb-cccc"}).status_code == 200
    refused = client.post("/login/code/", {"code": next_code(secret)})
    assert refused.status_code == 429 and not logged_in(client)
    assert "We received a lot of codes for this account" in refused.text
    # From another network the account's own count (LOGIN_USERNAME_RATE_LIMIT, higher) holds too.
    other = Client(REMOTE_ADDR=client_address(3600))
    assert log_in(other, "minji")["Location"] == "/login/code/"
    assert other.post("/login/code/", {"code": "000000"}).status_code == 200
    assert other.post("/login/code/", {"code": next_code(secret)}).status_code == 429


def test_turning_off_asks_to_confirm_its_you_and_ends_codes(client, minji):
    secret, codes = turn_on(client)
    session = client.session
    session[CONFIRMED_AT_KEY] = time.time() - reauth.CONFIRM_SECONDS - 1
    session.save()
    asked = client.post("/account/two-step/turn-off/")
    assert asked["Location"].startswith("/account/confirm/") and TwoStepDevice.objects.exists()
    client.post("/account/confirm/?next=/account/two-step/turn-off/", {"current_password": PASSWORD})
    assert "After this, your password alone logs you in." in client.get("/account/two-step/turn-off/").text
    assert client.post("/account/two-step/turn-off/")["Location"] == "/account/"
    assert not TwoStepDevice.objects.exists() and not RecoveryCode.objects.exists()
    assert log_in(client, "minji")["Location"] == "/account/"  # the password alone again


def test_new_recovery_codes_ask_to_confirm_its_you_and_replace_the_old_ones(client, minji):
    _, old = turn_on(client)
    client.post(CODES)
    session = client.session
    session[CONFIRMED_AT_KEY] = 0
    session.save()
    assert client.get("/account/two-step/new-recovery-codes/")["Location"].startswith("/account/confirm/")
    client.post("/account/confirm/?next=/", {"current_password": PASSWORD})
    assert client.post("/account/two-step/new-recovery-codes/")["Location"] == CODES
    new = shown_codes(client.get(CODES).text)
    assert len(new) == 10 and not set(new) & set(old)
    log_in(client, "minji")
    assert client.post("/login/recovery-code/", {"recovery_code": old[0]}).status_code == 200
    assert client.post("/login/recovery-code/", {"recovery_code": new[0]}).status_code == 302


def test_turning_on_asks_to_confirm_its_you(client, minji):
    session = client.session
    session[CONFIRMED_AT_KEY] = 0
    session.save()
    assert client.get(TURN_ON)["Location"].startswith("/account/confirm/?next=")
    assert TWO_STEP_SETUP not in client.session
