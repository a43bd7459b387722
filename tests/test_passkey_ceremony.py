"""The WebAuthn ceremonies (onboarding/passkeys/ceremony.py) against a software authenticator's answers:
the right answer passes once; another origin or site, a replay, no user verification, an unknown passkey
and a sign count going backwards are each refused with words for the person."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from onboarding.passkeys import ceremony, services
from onboarding.passkeys.ceremony import PasskeyError
from tests.soft_authenticator import SoftAuthenticator

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_(settings):
    settings.SITE_URL = "http://localhost:8000"
    request = RequestFactory().post("/", HTTP_HOST="localhost:8000")
    request.session = SessionStore()
    return request


def register(request, authenticator, **answer):
    handle = services.new_user_handle()
    options = ceremony.begin_registration(request, user_name="mina", display_name="Mina", user_handle=handle)
    return options, ceremony.finish_registration(request, authenticator.create(options, **answer), user_handle=handle)


def test_options_ask_for_a_discoverable_verified_passkey_with_a_random_handle(request_):
    options = ceremony.begin_registration(
        request_, user_name="mina", display_name="Mina Park", user_handle=services.new_user_handle()
    )
    assert options["rp"] == {"id": "localhost", "name": "Maru"}
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert "mina" not in options["user"]["id"] and len(options["user"]["id"]) >= 43


def test_a_good_registration_gives_the_public_part_only(request_):
    _, new = register(request_, SoftAuthenticator("http://localhost:8000"))
    assert new.credential_id and new.public_key and new.sign_count == 0
    assert new.transports == ["internal"]
    assert set(new.as_dict()) == {
        "credential_id",
        "public_key",
        "sign_count",
        "user_handle",
        "transports",
        "backed_up",
    }


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        ({"origin": "http://evil.example"}, "another origin"),
        ({"rp_id": "evil.example"}, "another site"),
    ],
)
def test_registration_for_another_origin_or_site_is_refused(request_, answer, why):
    with pytest.raises(PasskeyError) as refused:
        register(request_, SoftAuthenticator("http://localhost:8000"), **answer)
    assert "no passkey was made" in refused.value.message, why


def test_registration_without_user_verification_is_refused(request_):
    with pytest.raises(PasskeyError):
        register(request_, SoftAuthenticator("http://localhost:8000", user_verified=False))


def test_a_challenge_works_once(request_):
    authenticator = SoftAuthenticator("http://localhost:8000")
    handle = services.new_user_handle()
    options = ceremony.begin_registration(request_, user_name="mina", display_name="", user_handle=handle)
    answer = authenticator.create(options)
    ceremony.finish_registration(request_, answer, user_handle=handle)
    with pytest.raises(PasskeyError) as refused:
        ceremony.finish_registration(request_, answer, user_handle=handle)
    assert "Try again" in refused.value.message


def test_a_login_challenge_cannot_make_a_passkey(request_):
    authenticator = SoftAuthenticator("http://localhost:8000")
    options = ceremony.begin_authentication(request_)
    with pytest.raises(PasskeyError):
        ceremony.finish_registration(
            request_,
            authenticator.create({**options, "rp": {"id": "localhost"}, "user": {"id": "AA"}}),
            user_handle="AA",
        )


@pytest.fixture
def stored(request_, make_user):
    authenticator = SoftAuthenticator("http://localhost:8000")
    _, new = register(request_, authenticator)
    passkey = services.add_passkey(user=make_user(), new_passkey=new, name="Phone")
    return authenticator, passkey


def log_in(request, authenticator, **answer):
    options = ceremony.begin_authentication(request)
    return ceremony.finish_authentication(
        request, authenticator.get(options, **answer), find_passkey=services.find_passkey
    )


def test_a_good_login_finds_the_passkey_and_its_new_count(request_, stored):
    authenticator, passkey = stored
    found, count = log_in(request_, authenticator)
    assert found == passkey and count == 1
    services.record_use(found, count)
    passkey.refresh_from_db()
    assert passkey.sign_count == 1 and passkey.last_used_at is not None


def test_a_login_answer_cannot_be_replayed(request_, stored):
    authenticator, _ = stored
    options = ceremony.begin_authentication(request_)
    answer = authenticator.get(options)
    ceremony.finish_authentication(request_, answer, find_passkey=services.find_passkey)
    with pytest.raises(PasskeyError):
        ceremony.finish_authentication(request_, answer, find_passkey=services.find_passkey)


def test_a_sign_count_going_backwards_is_refused(request_, stored):
    authenticator, passkey = stored
    services.record_use(passkey, 5)
    with pytest.raises(PasskeyError):
        log_in(request_, authenticator, sign_count=3)


def test_login_from_another_origin_is_refused(request_, stored):
    authenticator, _ = stored
    with pytest.raises(PasskeyError):
        log_in(request_, authenticator, origin="http://evil.example")


def test_login_without_user_verification_is_refused(request_, stored):
    authenticator, _ = stored
    authenticator.user_verified = False
    with pytest.raises(PasskeyError):
        log_in(request_, authenticator)


def test_an_unknown_passkey_is_told_so(request_, stored):
    authenticator, passkey = stored
    passkey.delete()
    with pytest.raises(PasskeyError) as refused:
        log_in(request_, authenticator)
    assert "does not know that passkey" in refused.value.message
