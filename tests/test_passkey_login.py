"""Logging in with a passkey through its two endpoints (the Django test client, a software authenticator):
the right answer logs in once, marked multi-factor; another origin, a replay, no user verification, an unknown
passkey and a sign count going backwards are refused; the password login's honest states and limits hold."""

import json

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import caches

from onboarding.models import Passkey, ReviewStatus, User
from onboarding.passkeys.ceremony import NewPasskey
from onboarding.passkeys.services import add_passkey, new_user_handle
from onboarding.session_keys import LOGIN_SECOND_STEP, RESEND_KEY
from tests.conftest import PASSWORD
from tests.soft_authenticator import SoftAuthenticator, b64

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"


@pytest.fixture(autouse=True)
def _fresh_limits():
    caches["ratelimit"].clear()
    yield
    caches["ratelimit"].clear()


@pytest.fixture
def authenticator():
    return SoftAuthenticator(ORIGIN)


@pytest.fixture
def passkey_user(make_user, authenticator):
    """A passkey-only account (no password), its passkey held by `authenticator`."""
    user = make_user("mina", password=None)
    handle = new_user_handle()
    authenticator.create({"rp": {"id": "testserver"}, "user": {"id": handle}, "challenge": "x"})
    credential = authenticator.credentials[-1]
    new = NewPasskey(
        credential_id=b64(credential.id), public_key=b64(credential.cose_key()), sign_count=0, user_handle=handle
    )
    add_passkey(user=user, new_passkey=new, name="Phone")
    return user


def options(client):
    response = client.post("/login/passkey/options/")
    assert response.status_code == 200, response.content
    return response.json()


def answer(client, response, **extra):
    return client.post("/login/passkey/", {"response": json.dumps(response), **extra})


def test_the_login_page_offers_a_passkey_and_autofill(client):
    page = client.get("/login/").content.decode()
    assert "Log in with a passkey" in page
    assert 'autocomplete="username webauthn"' in page
    assert "onboarding/passkey_login.js" in page


def test_options_ask_any_passkey_of_this_site_with_user_verification(client):
    asked = options(client)
    assert asked["rpId"] == "testserver" and asked["userVerification"] == "required"
    assert asked["allowCredentials"] == []  # discoverable: no username first


def test_a_passkey_logs_in_marked_multi_factor_and_records_its_use(client, passkey_user, authenticator):
    logged_in = answer(client, authenticator.get(options(client)))
    assert logged_in.status_code == 200 and logged_in.json() == {"redirect": "/account/"}
    assert int(client.session[SESSION_KEY]) == passkey_user.pk
    assert client.session[LOGIN_SECOND_STEP] == "passkey"
    assert client.session["_auth_user_backend"] == "django.contrib.auth.backends.ModelBackend"
    passkey = Passkey.objects.get()
    assert passkey.sign_count == 1 and passkey.last_used_at is not None
    assert client.get("/account/").status_code == 200
    assert "known_device" in logged_in.cookies  # as a password login marks the browser


def test_next_is_followed_only_on_this_site(client, passkey_user, authenticator):
    assert answer(client, authenticator.get(options(client)), next="/account/details/").json() == {
        "redirect": "/account/details/"
    }
    client.logout()
    assert answer(client, authenticator.get(options(client)), next="https://evil.example/").json() == {
        "redirect": "/account/"
    }


def refused(response, words):
    assert response.status_code in (400, 403), response.content
    assert words in response.json()["error"]
    return response


def test_wrong_origin_replay_missing_verification_and_backwards_count_are_refused(client, passkey_user, authenticator):
    could_not = "That passkey could not be used"
    refused(answer(client, authenticator.get(options(client), origin="http://evil.example")), could_not)
    good = authenticator.get(options(client))
    assert answer(client, good).status_code == 200
    client.logout()
    refused(answer(client, good), "That took too long")  # the same answer again: its challenge is spent
    authenticator.user_verified = False
    refused(answer(client, authenticator.get(options(client))), could_not)
    authenticator.user_verified = True
    Passkey.objects.update(sign_count=10)
    refused(answer(client, authenticator.get(options(client), sign_count=5)), could_not)
    assert SESSION_KEY not in client.session and Passkey.objects.get().sign_count == 10


def test_an_unknown_passkey_is_refused_with_words_that_say_so(client, passkey_user, authenticator):
    Passkey.objects.all().delete()
    refused(answer(client, authenticator.get(options(client))), "This site does not know that passkey")
    assert SESSION_KEY not in client.session


def test_garbage_is_refused(client, passkey_user):
    options(client)
    response = client.post("/login/passkey/", {"response": "{not json"})
    assert response.status_code == 400 and SESSION_KEY not in client.session


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (ReviewStatus.PENDING, "Your account is waiting for review"),
        (ReviewStatus.REJECTED, "Your signup was not approved"),
    ],
)
def test_accounts_not_active_are_told_why_as_at_the_password_login(client, passkey_user, authenticator, status, words):
    User.objects.filter(pk=passkey_user.pk).update(is_active=False)
    passkey_user.profile.review_status = status
    passkey_user.profile.save()
    response = refused(answer(client, authenticator.get(options(client))), words)
    assert response.status_code == 403 and SESSION_KEY not in client.session


def test_an_unconfirmed_address_in_mandatory_mode_is_told_to_confirm_and_can_resend(
    client, settings, passkey_user, authenticator
):
    settings.SIGNUP_EMAIL_VERIFICATION = "mandatory"
    User.objects.filter(pk=passkey_user.pk).update(email_verified_at=None)
    response = refused(answer(client, authenticator.get(options(client))), "Confirm your email address first")
    assert response.json()["resend"]["url"] == "/email/confirm-again/"
    assert client.session[RESEND_KEY]["user"] == passkey_user.pk and SESSION_KEY not in client.session


def test_checking_answers_shares_the_password_logins_per_client_limit(client, settings, passkey_user, authenticator):
    settings.LOGIN_RATE_LIMIT = "2/h"
    client.post("/login/", {"username": "mina", "password": "wrong one"})  # one password attempt
    refused(answer(client, authenticator.get(options(client), origin="http://evil.example")), "could not be used")
    assert answer(client, authenticator.get(options(client))).status_code == 429
    assert SESSION_KEY not in client.session


def test_a_password_login_afterwards_is_not_multi_factor(client, passkey_user, authenticator):
    passkey_user.set_password(PASSWORD)
    passkey_user.save()
    answer(client, authenticator.get(options(client)))
    assert client.session[LOGIN_SECOND_STEP] == "passkey"
    # The same account again, by password, in the same session (Django keeps the session's data for it).
    assert client.post("/login/", {"username": "mina", "password": PASSWORD}).status_code == 302
    assert int(client.session[SESSION_KEY]) == passkey_user.pk and LOGIN_SECOND_STEP not in client.session


def test_a_staff_passkey_login_opens_the_admin_where_a_second_factor_is_required(
    client, settings, passkey_user, authenticator
):
    """A passkey is multi-factor: with SIGNUP_STAFF_REQUIRE_2FA, its login opens the admin without a code."""
    settings.SIGNUP_STAFF_REQUIRE_2FA = True
    passkey_user.is_staff = passkey_user.is_superuser = True
    passkey_user.save(update_fields=["is_staff", "is_superuser"])
    assert answer(client, authenticator.get(options(client))).status_code == 200
    assert client.get("/admin/").status_code == 200
