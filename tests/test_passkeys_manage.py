"""Managing passkeys on the account home (onboarding/passkeys/views.py) with the test client and a software
authenticator: add (confirm it's you first, existing passkeys excluded), rename, remove (never the last way
in), set a password without one, confirm it's you with a passkey, and recover a passkey-only account by the
reset link."""

import json
import re
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from onboarding.account import reauth
from onboarding.models import Passkey, User
from onboarding.passkeys import services
from onboarding.passkeys.ceremony import NewPasskey
from onboarding.passkeys.made_with import made_with
from onboarding.session_keys import CONFIRMED_AT_KEY
from tests.conftest import PASSWORD
from tests.soft_authenticator import SoftAuthenticator, b64

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"
ADD = reverse("onboarding:passkey_add")
CONFIRM = reverse("onboarding:confirm_its_you")
CONFIRM_WITH_PASSKEY = reverse("onboarding:confirm_with_passkey")
CHROME_ON_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
NEW_PASSWORD = "a different horse 77 staple"


@pytest.fixture(autouse=True)
def _site_is_the_test_server(settings):
    settings.SITE_URL = ORIGIN


@pytest.fixture
def authenticator():
    return SoftAuthenticator(ORIGIN)


@pytest.fixture
def passkey_only(client, make_user):
    """A person with no password, logged in, who has one passkey (made by `authenticator`-like keys)."""
    user = make_user("mina", password=None)
    client.force_login(user)
    return user


def lapse(client):
    session = client.session
    session[CONFIRMED_AT_KEY] = time.time() - reauth.CONFIRM_SECONDS - 1
    session.save()


def ceremony(client, url, answer, user_agent="", **fields):
    """Run one ceremony against `url` as the page's script does; `answer(options)` is the authenticator's."""
    begun = client.post(url, {"step": "begin", **fields}, HTTP_USER_AGENT=user_agent)
    assert begun.status_code == 200, begun.content
    options = begun.json()["options"]
    credential = json.dumps(answer(options))
    return client.post(url, {"step": "finish", "credential": credential, **fields}, HTTP_USER_AGENT=user_agent)


def add_passkey(client, authenticator, name="My phone", user_agent=""):
    return ceremony(client, ADD, authenticator.create, user_agent, name=name)


def stored_passkey(user, authenticator, name="Old laptop"):
    """A passkey `authenticator` holds for `user`, as if added earlier."""
    options = {"rp": {"id": "testserver"}, "user": {"id": services.user_handle_for(user)}, "challenge": "x"}
    authenticator.create(options)
    credential = authenticator.credentials[-1]
    new = NewPasskey(
        credential_id=b64(credential.id),
        public_key=b64(credential.cose_key()),
        sign_count=0,
        user_handle=credential.user_handle,
    )
    return services.add_passkey(user=user, new_passkey=new, name=name, made_with="Firefox on Linux")


# "Made with" ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_agent", "expected"),
    [
        (CHROME_ON_ANDROID, "Chrome on Android"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/18.1 Mobile/15E148 Safari/604.1",
            "Safari on iPhone",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
            "Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Linux"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/18.1 Safari/605.1.15",
            "Safari on macOS",
        ),  # fmt: skip
        ("curl/8.5.0", ""),
        ("", ""),
    ],
)
def test_made_with_names_the_browser_and_system(user_agent, expected):
    assert made_with(user_agent) == expected


# Adding -----------------------------------------------------------------------------------------------


def test_a_password_user_adds_a_passkey_and_sees_it_listed(client, person, authenticator, sent_mail):
    page = client.get(ADD, HTTP_USER_AGENT=CHROME_ON_ANDROID).content.decode()
    assert 'value="Chrome on Android"' in page and 'data-passkey="create"' in page
    done = add_passkey(client, authenticator, name="Chrome on Android", user_agent=CHROME_ON_ANDROID)
    assert done.json() == {"redirect": "/account/"}
    [passkey] = person.passkeys.all()
    assert (passkey.name, passkey.made_with) == ("Chrome on Android", "Chrome on Android")
    assert passkey.credential_id == b64(authenticator.credentials[-1].id)
    # The security log keeps it, and the account's address is told (security/events.py).
    assert person.security_events.filter(kind="passkey_added").count() == 1
    [notice] = sent_mail()
    assert notice.to == [person.email] and "A passkey was added" in notice.subject

    home = client.get("/account/").content.decode()
    assert "Your passkey “Chrome on Android” has been added." in home
    for shown in ("Passkeys", "Chrome on Android", "Made with", "Last used", "Not yet", "Synced"):
        assert shown in home
    assert reverse("onboarding:passkey_remove", args=[passkey.pk]) in home
    assert reverse("onboarding:passkey_rename", args=[passkey.pk]) in home


def test_adding_excludes_the_passkeys_already_held_and_keeps_one_handle(client, person, authenticator):
    first = stored_passkey(person, authenticator)
    options = client.post(ADD, {"step": "begin", "name": "Second"}).json()["options"]
    assert [c["id"] for c in options["excludeCredentials"]] == [first.credential_id]
    assert options["user"]["id"] == first.user_handle
    client.post(ADD, {"step": "finish", "name": "Second", "credential": json.dumps(authenticator.create(options))})
    assert [p.name for p in person.passkeys.all()] == ["Old laptop", "Second"]
    assert {p.user_handle for p in person.passkeys.all()} == {first.user_handle}


def test_the_default_name_is_numbered_when_taken(client, person, authenticator):
    stored_passkey(person, authenticator, name="Chrome on Android")
    page = client.get(ADD, HTTP_USER_AGENT=CHROME_ON_ANDROID).content.decode()
    assert 'value="Chrome on Android (2)"' in page


def test_a_name_is_needed_before_the_ceremony_starts(client, person):
    refused = client.post(ADD, {"step": "begin", "name": "  "})
    assert refused.status_code == 400 and refused.json() == {"error": "Enter a name for the passkey."}


def test_an_answer_from_another_origin_adds_nothing(client, person):
    done = add_passkey(client, SoftAuthenticator("http://evil.example"))
    assert done.status_code == 400 and "no passkey was made" in done.json()["error"]
    assert not person.passkeys.exists()


def test_a_credential_someone_else_has_is_refused_plainly(client, person, make_user, authenticator):
    other = make_user("other")
    theirs = stored_passkey(other, authenticator)
    options = client.post(ADD, {"step": "begin", "name": "Mine"}).json()["options"]
    answer = authenticator.create(options)
    answer["id"] = answer["rawId"] = theirs.credential_id  # their id, with a key of ours
    attested = answer["response"]
    # Rebuild the attestation so that it names their credential id (the signature-free "none" format).
    import cbor2

    from tests.soft_authenticator import unb64

    attestation = cbor2.loads(unb64(attested["attestationObject"]))
    auth = attestation["authData"]
    length = int.from_bytes(auth[53:55], "big")
    their_id = unb64(theirs.credential_id)
    attestation["authData"] = auth[:53] + len(their_id).to_bytes(2, "big") + their_id + auth[55 + length :]
    attested["attestationObject"] = b64(cbor2.dumps(attestation))
    done = client.post(ADD, {"step": "finish", "name": "Mine", "credential": json.dumps(answer)})
    assert done.status_code == 400 and "already in use" in done.json()["error"]
    assert not person.passkeys.exists() and other.passkeys.count() == 1


def test_adding_needs_a_confirmation_in_the_last_5_minutes(client, person, authenticator):
    lapse(client)
    page = client.get(ADD)
    assert page.status_code == 302 and page["Location"] == f"{CONFIRM}?next=%2Faccount%2Fpasskeys%2Fadd%2F"
    # The script's POST gets where to go, as JSON.
    begun = client.post(ADD, {"step": "begin", "name": "Mine"})
    assert begun.status_code == 403 and begun.json() == {"redirect": f"{CONFIRM}?next=%2Faccount%2Fpasskeys%2Fadd%2F"}
    client.post(f"{CONFIRM}?next=/account/passkeys/add/", {"current_password": PASSWORD})
    assert add_passkey(client, authenticator).status_code == 200
    assert person.passkeys.count() == 1


def test_the_passkey_pages_need_a_login(client):
    for url in (ADD, reverse("onboarding:passkey_rename", args=[1]), reverse("onboarding:passkey_remove", args=[1])):
        assert client.get(url)["Location"].startswith("/login/")


# Renaming and removing --------------------------------------------------------------------------------


def test_rename_changes_the_name_without_asking_again(client, person, authenticator):
    passkey = stored_passkey(person, authenticator)
    lapse(client)  # only a label: no confirmation needed
    url = reverse("onboarding:passkey_rename", args=[passkey.pk])
    assert 'value="Old laptop"' in client.get(url).content.decode()
    empty = client.post(url, {"name": ""})
    assert "Enter a name for the passkey." in empty.content.decode()
    done = client.post(url, {"name": "Work laptop"}, follow=True)
    assert "The passkey has been renamed." in done.content.decode()
    passkey.refresh_from_db()
    assert passkey.name == "Work laptop"


def test_someone_elses_passkey_is_not_found(client, person, make_user, authenticator):
    theirs = stored_passkey(make_user("other"), authenticator)
    for name in ("onboarding:passkey_rename", "onboarding:passkey_remove"):
        url = reverse(name, args=[theirs.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"name": "Mine now"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Old laptop"


def test_a_password_user_removes_a_passkey_after_confirming(client, person, authenticator):
    passkey = stored_passkey(person, authenticator)
    url = reverse("onboarding:passkey_remove", args=[passkey.pk])
    lapse(client)
    assert client.get(url)["Location"] == f"{CONFIRM}?next=%2Faccount%2Fpasskeys%2F{passkey.pk}%2Fremove%2F"
    assert client.post(url)["Location"].startswith(CONFIRM)  # a lapsed POST is not acted on
    assert Passkey.objects.filter(pk=passkey.pk).exists()
    client.post(f"{CONFIRM}?next={url}", {"current_password": PASSWORD})
    page = client.get(url).content.decode()
    assert "Remove the passkey “Old laptop” from your account?" in page
    done = client.post(url, follow=True)
    assert "Your passkey “Old laptop” has been removed." in done.content.decode()
    assert not Passkey.objects.filter(pk=passkey.pk).exists()
    assert person.security_events.filter(kind="passkey_removed").exists()


def test_the_last_way_in_cannot_be_removed(client, passkey_only, authenticator):
    passkey = stored_passkey(passkey_only, authenticator)
    home = client.get("/account/").content.decode()
    url = reverse("onboarding:passkey_remove", args=[passkey.pk])
    assert url not in home
    assert "This passkey cannot be removed: it is your only way to log in." in home
    assert reverse("onboarding:passkey_add") in home and "set a password" in home
    page = client.get(url).content.decode()
    assert "is your only way to log in" in page and "Remove the passkey</button>" not in page
    refused = client.post(url)
    assert refused.status_code == 409 and Passkey.objects.filter(pk=passkey.pk).exists()


def test_with_two_passkeys_one_goes_then_the_other_stays(client, passkey_only, authenticator):
    first, second = stored_passkey(passkey_only, authenticator), stored_passkey(passkey_only, authenticator, "Phone")
    assert client.post(reverse("onboarding:passkey_remove", args=[first.pk])).status_code == 302
    assert client.post(reverse("onboarding:passkey_remove", args=[second.pk])).status_code == 409
    assert list(passkey_only.passkeys.all()) == [second]


def test_a_passkey_only_person_sets_a_password_then_may_remove_the_passkey(client, passkey_only, authenticator):
    passkey = stored_passkey(passkey_only, authenticator)
    url = reverse("onboarding:account_password")
    assert "Set a password" in client.get("/account/").content.decode()
    page = client.get(url).content.decode()
    assert '<h1 class="mb-4">Set a password</h1>' in page and 'name="current_password"' not in page
    done = client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True)
    assert "Your password has been set." in done.content.decode()
    passkey_only.refresh_from_db()
    assert passkey_only.check_password(NEW_PASSWORD)
    assert client.session[SESSION_KEY] == str(passkey_only.pk)  # still logged in here
    assert client.post(reverse("onboarding:passkey_remove", args=[passkey.pk])).status_code == 302


# Confirm it's you with a passkey ----------------------------------------------------------------------


def test_confirm_offers_a_passkey_beside_the_password(client, person, authenticator):
    stored_passkey(person, authenticator)
    lapse(client)
    page = client.get(CONFIRM, {"next": "/account/email/"}).content.decode()
    assert "Use a passkey" in page and 'name="current_password"' in page
    assert f'action="{CONFIRM_WITH_PASSKEY}?next=%2Faccount%2Femail%2F"' in page


def test_a_person_without_a_password_confirms_with_a_passkey_only(client, passkey_only, authenticator):
    passkey = stored_passkey(passkey_only, authenticator)
    lapse(client)
    page = client.get(CONFIRM, {"next": "/account/delete/"}).content.decode()
    assert "Use a passkey" in page and 'name="current_password"' not in page
    assert client.post(CONFIRM, {"current_password": "anything"}).status_code == 302
    assert time.time() - client.session[CONFIRMED_AT_KEY] > reauth.CONFIRM_SECONDS

    url = f"{CONFIRM_WITH_PASSKEY}?next=/account/delete/"
    options = client.post(url, {"step": "begin"}).json()["options"]
    assert [c["id"] for c in options["allowCredentials"]] == [passkey.credential_id]
    done = client.post(url, {"step": "finish", "credential": json.dumps(authenticator.get(options))})
    assert done.json() == {"redirect": "/account/delete/"}
    assert time.time() - client.session[CONFIRMED_AT_KEY] < 5
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None and passkey.sign_count == 1
    assert client.get("/account/delete/").status_code == 200


def test_someone_elses_passkey_does_not_confirm(client, passkey_only, make_user, authenticator):
    stored_passkey(passkey_only, authenticator)
    theirs = SoftAuthenticator(ORIGIN)
    stored_passkey(make_user("other"), theirs)
    lapse(client)
    options = client.post(CONFIRM_WITH_PASSKEY, {"step": "begin"}).json()["options"]
    refused = client.post(CONFIRM_WITH_PASSKEY, {"step": "finish", "credential": json.dumps(theirs.get(options))})
    assert refused.status_code == 400 and "does not know that passkey" in refused.json()["error"]
    assert time.time() - client.session[CONFIRMED_AT_KEY] > reauth.CONFIRM_SECONDS


def test_a_replayed_confirmation_is_refused(client, passkey_only, authenticator):
    stored_passkey(passkey_only, authenticator)
    options = client.post(CONFIRM_WITH_PASSKEY, {"step": "begin"}).json()["options"]
    answer = json.dumps(authenticator.get(options))
    assert client.post(CONFIRM_WITH_PASSKEY, {"step": "finish", "credential": answer}).status_code == 200
    lapse(client)
    again = client.post(CONFIRM_WITH_PASSKEY, {"step": "finish", "credential": answer})
    assert again.status_code == 400
    assert time.time() - client.session[CONFIRMED_AT_KEY] > reauth.CONFIRM_SECONDS


# Recovery: the reset link for an account without a password ------------------------------------------


def reset_page(sent_mail, email):
    browser = Client()
    browser.post("/password-reset/", {"email": email})
    [mail] = [m for m in sent_mail() if m.to == [email]]
    path = re.search(r"https?://[^/\s]+(/password-reset/[^\s\"<>]+/)", mail.body).group(1)
    page = browser.get(path, follow=True)
    return browser, page, page.redirect_chain[-1][0]


def test_a_passkey_only_account_gets_a_reset_link_and_sets_a_password(make_user, sent_mail, authenticator):
    mina = make_user("mina", password=None)
    stored_passkey(mina, authenticator)
    browser, page, set_path = reset_page(sent_mail, "mina@example.com")
    text = page.content.decode()
    assert "Choose a new password for the account <strong>mina</strong>." in text
    assert "Or add a passkey instead" in text and "Your old password will stop working." not in text
    browser.post(set_path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    mina.refresh_from_db()
    assert mina.check_password(NEW_PASSWORD) and mina.passkeys.count() == 1


def test_the_reset_link_adds_a_passkey_instead_logs_in_and_dies(make_user, sent_mail):
    mina = make_user("mina", password=None, email_verified=False)
    lost = SoftAuthenticator(ORIGIN)
    stored_passkey(mina, lost, name="Lost phone")
    browser, _, set_path = reset_page(sent_mail, "mina@example.com")
    new_device = SoftAuthenticator(ORIGIN)
    done = ceremony(browser, set_path, new_device.create, CHROME_ON_ANDROID)
    assert done.json() == {"redirect": "/account/"}
    assert browser.session[SESSION_KEY] == str(mina.pk)
    mina.refresh_from_db()
    assert [(p.name, p.made_with) for p in mina.passkeys.all()] == [
        ("Lost phone", "Firefox on Linux"),
        ("Chrome on Android", "Chrome on Android"),
    ]
    assert not mina.has_usable_password() and mina.email_verified_at is not None
    # The link worked once.
    again = browser.post(set_path, {"step": "begin"})
    assert again.status_code == 400 and "This link no longer works" in again.content.decode()


def test_the_reset_page_warns_a_password_user_and_its_passkey_step_needs_the_link(make_user, sent_mail):
    make_user("mina")
    _, page, set_path = reset_page(sent_mail, "mina@example.com")
    assert "Your old password will stop working." in page.content.decode()
    browser = Client()
    # A fresh browser without the link's session cannot use the step.
    assert browser.post(set_path, {"step": "begin"}).status_code == 400
    assert User.objects.get(username="mina").check_password(PASSWORD)
