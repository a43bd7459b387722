"""Signing up with a passkey instead of a password, through the wizard's views (the Django test client) and a
software authenticator whose answers py_webauthn checks as a browser's: one Passkey row with the account,
no password hash anywhere, the credential kept in the wizard's state within its cap and carried by Back,
the language switch, "Change" and a "finish later" link."""

import json

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client, override_settings

from onboarding.models import Passkey, SignupDraft, User
from onboarding.signup.bounds import WIZARD_MAX_BYTES, wizard_bytes
from tests.conftest import MANAGEMENT, PROFILE, signup_state, step_data
from tests.hashers import CountingArgon2PasswordHasher
from tests.soft_authenticator import SoftAuthenticator, b64

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"  # setup.cfg's SITE_URL: the relying party is "testserver"
ACCOUNT = {"username": "minji", "email": "minji@example.com"}


def use_passkey(client, path="/signup/account/"):
    client.get("/signup/")
    switched = client.post(path, {**step_data("account", **ACCOUNT), "auth_method": "passkey"})
    assert switched.status_code == 302 and switched["Location"].startswith("/signup/account/")
    return switched


def make_passkey(client, authenticator, **answer):
    options = client.post("/signup/passkey/options/", {"username": ACCOUNT["username"]})
    assert options.status_code == 200, options.content
    return json.dumps(authenticator.create(options.json(), **answer))


def send_account(client, answer=None, path="/signup/account/", **fields):
    data = step_data("account", **{**ACCOUNT, **fields})
    if answer is not None:
        data["account-passkey"] = answer
    return client.post(path, data)


def passkey_signup(client, authenticator, until="confirm"):
    use_passkey(client)
    sent = send_account(client, make_passkey(client, authenticator))
    assert sent.status_code == 302 and sent["Location"] == "/signup/profile/", sent.content.decode()[:3000]
    if until == "profile":
        return client
    assert client.post("/signup/profile/", step_data("profile", **PROFILE))["Location"] == "/signup/confirm/"
    if until == "done":
        assert client.post("/signup/confirm/", step_data("confirm", accept_terms="on"))["Location"] == "/signup/done/"
    return client


@pytest.fixture
def authenticator():
    return SoftAuthenticator(ORIGIN)


def page(response):
    return response.content.decode()


def test_the_account_step_offers_a_passkey_and_then_drops_the_password_fields(client):
    first = page(client.get("/signup/account/"))
    assert "Use a passkey instead of a password" in first and 'name="account-password1"' in first
    use_passkey(client)
    step = page(client.get("/signup/account/"))
    assert 'name="account-password1"' not in step and 'name="account-password2"' not in step
    assert "Create a passkey" in step and "Use a password instead" in step
    assert 'value="minji"' in step and 'value="minji@example.com"' in step  # username and email stay
    assert signup_state(client).uses_passkey and signup_state(client).passkey_user_handle


@pytest.mark.argon2
@override_settings(PASSWORD_HASHERS=["tests.hashers.CountingArgon2PasswordHasher"])
def test_a_passkey_signup_writes_one_passkey_with_the_account_and_no_password_hash(client, authenticator):
    CountingArgon2PasswordHasher.reset()
    passkey_signup(client, authenticator)
    handle = signup_state(client).passkey_user_handle
    assert "password_hash" not in signup_state(client).as_stored()["extra_data"]
    summary = page(client.get("/signup/confirm/"))
    assert "Passkey" in summary and "Created (saved on your device)" in summary
    assert "Chosen (not shown)" not in summary
    assert client.post("/signup/confirm/", step_data("confirm", accept_terms="on"))["Location"] == "/signup/done/"

    user = User.objects.get(username="minji")
    assert not user.has_usable_password() and not user.password.startswith("argon2")
    [passkey] = Passkey.objects.all()
    assert passkey.user == user and passkey.user_handle == handle
    assert passkey.credential_id == b64(authenticator.credentials[-1].id)
    assert CountingArgon2PasswordHasher.work() == 0  # no Argon2 on the whole path
    assert SESSION_KEY in client.session
    done = page(client.get("/signup/done/"))
    assert "your passkeys" in done and "your password there" not in done


def test_the_passkey_in_the_state_stays_within_the_cap(client, authenticator):
    passkey_signup(client, authenticator, until="profile")
    stored = signup_state(client).as_stored()
    assert stored["extra_data"]["passkey"]["credential_id"]
    assert wizard_bytes(stored) <= WIZARD_MAX_BYTES
    assert "account-passkey" not in stored["step_data"]["account"]  # the browser's answer is not kept


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda a: {"origin": "http://evil.example"}, "could not be checked"),
        (lambda a: {"rp_id": "evil.example"}, "could not be checked"),
    ],
)
def test_an_answer_for_another_origin_or_site_is_refused_on_the_step(client, authenticator, make, message):
    use_passkey(client)
    refused = send_account(client, make_passkey(client, authenticator, **make(authenticator)))
    assert refused.status_code == 200 and message in page(refused)
    assert signup_state(client).passkey is None and "account" not in signup_state(client).valid_steps


def test_an_answer_without_user_verification_is_refused(client):
    use_passkey(client)
    refused = send_account(client, make_passkey(client, SoftAuthenticator(ORIGIN, user_verified=False)))
    assert refused.status_code == 200 and "could not be checked" in page(refused)
    assert signup_state(client).passkey is None


def test_a_replayed_answer_is_refused(client, authenticator):
    use_passkey(client)
    answer = make_passkey(client, authenticator)
    assert send_account(client, answer)["Location"] == "/signup/profile/"
    replayed = send_account(client, answer)
    assert replayed.status_code == 200 and "That took too long, or the page was opened twice" in page(replayed)


def test_next_without_a_passkey_says_to_create_one(client):
    use_passkey(client)
    refused = send_account(client)
    assert refused.status_code == 200 and "Create a passkey first" in page(refused)


def test_the_options_are_only_for_a_signup_that_chose_a_passkey(client):
    assert client.post("/signup/passkey/options/", {"username": "minji"}).status_code == 409
    use_passkey(client)
    assert client.post("/signup/passkey/options/", {"username": ""}).status_code == 400
    options = client.post("/signup/passkey/options/", {"username": "minji"}).json()
    assert options["user"]["id"] == signup_state(client).passkey_user_handle and options["user"]["name"] == "minji"
    assert options["rp"]["id"] == "testserver"


def test_back_reload_language_and_change_keep_the_passkey(client, authenticator):
    passkey_signup(client, authenticator, until="confirm")
    kept = signup_state(client).passkey
    # Back from the profile, the language switch on the account step, then "Change" from the summary.
    client.post("/signup/profile/", {**step_data("profile", **PROFILE), "wizard_goto_step": "account"})
    step = page(client.get("/signup/account/"))
    assert "Your passkey is ready" in step
    client.post("/signup/account/", {**step_data("account", **ACCOUNT), "language": "ko", "next": "/signup/account/"})
    assert signup_state(client).passkey == kept
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    changed = send_account(client, path="/signup/account/?return=confirm", username="minji2")
    assert changed["Location"] == "/signup/confirm/"
    assert signup_state(client).passkey == kept
    assert client.post("/signup/confirm/", step_data("confirm", accept_terms="on"))["Location"] == "/signup/done/"
    assert Passkey.objects.get().user.username == "minji2"


def test_a_person_can_switch_back_to_a_password(client, authenticator):
    passkey_signup(client, authenticator, until="confirm")
    switched = client.post(
        "/signup/account/?return=confirm", {**step_data("account", **ACCOUNT), "auth_method": "password"}
    )
    assert switched["Location"] == "/signup/account/?return=confirm"
    state = signup_state(client)
    assert not state.uses_passkey and state.passkey is None and "account" not in state.valid_steps
    step = page(client.get("/signup/account/"))
    assert 'name="account-password1"' in step and "Use a passkey instead of a password" in step
    password = "correct horse battery 42"
    typed = send_account(client, path="/signup/account/?return=confirm", password1=password, password2=password)
    assert typed["Location"] == "/signup/confirm/"
    assert "Chosen (not shown)" in page(client.get("/signup/confirm/"))
    client.post("/signup/confirm/", step_data("confirm", accept_terms="on"))
    assert User.objects.get().check_password(password) and not Passkey.objects.exists()


def test_an_unknown_switch_is_a_bad_request(client):
    client.get("/signup/")
    assert (
        client.post("/signup/account/", {**step_data("account", **ACCOUNT), "auth_method": "sms"}).status_code == 400
    )


def test_finish_later_carries_the_passkey_to_another_browser(client, authenticator, monkeypatch):
    sent = {}
    monkeypatch.setattr("onboarding.signup.resume.send_resume_link", lambda **kwargs: sent.update(kwargs))
    passkey_signup(client, authenticator, until="profile")
    kept = signup_state(client).passkey
    asked = client.post("/signup/profile/", {**step_data("profile", **PROFILE), "finish_later": "1"})
    assert asked["Location"] == "/signup/link-sent/"
    assert kept.credential_id in json.dumps(SignupDraft.objects.get().data)

    laptop = Client()
    opened = laptop.get(sent["resume_url"].removeprefix(ORIGIN), follow=True)
    assert opened.redirect_chain[-1][0] == "/signup/account/?return=confirm"
    text = page(opened)
    assert "with the passkey you made" in text and "Your passkey is ready" in text
    assert 'name="account-password1"' not in text
    assert signup_state(laptop).passkey == kept
    assert send_account(laptop, path="/signup/account/?return=confirm")["Location"] == "/signup/confirm/"
    assert laptop.post("/signup/confirm/", step_data("confirm", accept_terms="on"))["Location"] == "/signup/done/"
    user = User.objects.get()
    assert not user.has_usable_password() and user.passkeys.get().credential_id == kept.credential_id


def test_a_first_answer_that_is_the_switch_starts_the_signup(client):
    client.get("/signup/")
    client.post("/signup/account/", {MANAGEMENT: "account", "auth_method": "passkey"})
    assert signup_state(client).wizard_id and signup_state(client).uses_passkey


def log_in_with(client, authenticator):
    options = client.post("/login/passkey/options/").json()
    return client.post("/login/passkey/", {"response": json.dumps(authenticator.get(options))})


@pytest.mark.parametrize("taken", [False, True])
def test_in_mandatory_mode_the_passkey_of_a_signup_answers_alike_whether_the_address_was_taken(
    client, settings, make_user, authenticator, taken
):
    """A prober who signs up with someone's address and then logs in with the passkey learns nothing."""
    settings.SIGNUP_EMAIL_VERIFICATION = "mandatory"
    if taken:
        make_user("owner", "minji@example.com")
    passkey_signup(client, authenticator, until="done")
    assert Passkey.objects.exists() is not taken  # a taken address makes no account, so no passkey
    client.get("/signup/done/")
    answer = log_in_with(client, authenticator)
    assert answer.status_code == 403
    assert (
        answer.json()["code"] == "email_unconfirmed" and "Confirm your email address first" in answer.json()["error"]
    )
    assert answer.json()["resend"]["label"] == "Send it again" and SESSION_KEY not in client.session
