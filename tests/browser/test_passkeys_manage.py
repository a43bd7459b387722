"""Passkeys on the account pages in a real Chromium, with a virtual authenticator through the DevTools
protocol (a platform authenticator that holds discoverable credentials and verifies the user), on
http://localhost: add one and see it listed, confirm it's you with it, lose the device and recover by the
reset link with a new passkey, never remove the last one; axe on every page and state in both languages."""

import re
import time
from importlib import import_module

import pytest
from django.conf import settings as django_settings

from onboarding.account.reauth import CONFIRM_SECONDS
from onboarding.models import User
from onboarding.session_keys import CONFIRMED_AT_KEY
from tests.browser.conftest import (
    assert_fits_width,
    assert_no_axe_violations,
    assert_touch_targets,
    sign_up,
    submit,
)
from tests.mailserver import link_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SMALLEST_PHONE = {"width": 320, "height": 640}
CEREMONY_BUTTON = "form[data-passkey] button[type=submit]"


class VirtualAuthenticator:
    """Chromium's virtual authenticator (DevTools protocol, WebAuthn domain) for one page."""

    def __init__(self, page):
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("WebAuthn.enable")
        self.id = self.cdp.send(
            "WebAuthn.addVirtualAuthenticator",
            {
                "options": {
                    "protocol": "ctap2",
                    "transport": "internal",
                    "hasResidentKey": True,
                    "hasUserVerification": True,
                    "isUserVerified": True,
                    "automaticPresenceSimulation": True,
                }
            },
        )["authenticatorId"]

    def credentials(self):
        return self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.id})["credentials"]

    def user_verified(self, verified):
        self.cdp.send("WebAuthn.setUserVerified", {"authenticatorId": self.id, "isUserVerified": verified})

    def lose_everything(self):
        """The device is lost: its passkeys are gone."""
        for credential in self.credentials():
            self.cdp.send(
                "WebAuthn.removeCredential", {"authenticatorId": self.id, "credentialId": credential["credentialId"]}
            )


def lapse_confirmation(page):
    """Five minutes and a second later: the last "confirm it's you" (or login) no longer counts."""
    [key] = [c["value"] for c in page.context.cookies() if c["name"] == django_settings.SESSION_COOKIE_NAME]
    session = import_module(django_settings.SESSION_ENGINE).SessionStore(session_key=key)
    session[CONFIRMED_AT_KEY] = time.time() - CONFIRM_SECONDS - 1
    session.save()


def run_ceremony(page):
    """Press the ceremony's button; the virtual authenticator answers; wait for the page it leads to."""
    with page.expect_navigation():
        page.click(CEREMONY_BUTTON)


def passkey_states(page, sent_mail, username="minji"):
    """Every passkey page and state: a password user adds a passkey, renames it, confirms it's them with it;
    then loses the device, recovers with a new passkey from the reset link, and cannot remove the last one."""
    device = VirtualAuthenticator(page)
    sign_up(page, username=username)
    sent_mail()
    page.goto("/account/")
    yield "account-no-passkeys"
    page.goto("/account/passkeys/add/")
    yield "add"
    page.fill("#id_name", "")
    page.click(CEREMONY_BUTTON)
    page.locator("[data-passkey-message]:not([hidden])").wait_for()
    yield "add-errors"
    page.fill("#id_name", "My laptop")
    run_ceremony(page)
    assert page.url.endswith("/account/") and len(device.credentials()) == 1
    yield "account-with-passkey"
    passkey = User.objects.get(username=username).passkeys.get()
    page.goto(f"/account/passkeys/{passkey.pk}/rename/")
    yield "rename"
    page.fill("#id_name", "")
    submit(page, "main button[type=submit]")
    yield "rename-errors"
    page.goto(f"/account/passkeys/{passkey.pk}/remove/")
    yield "remove"

    lapse_confirmation(page)
    page.goto("/account/passkeys/add/")
    assert "/account/confirm/" in page.url
    yield "confirm"
    device.user_verified(False)  # the fingerprint is not recognised: the browser refuses, the page says so
    page.click(CEREMONY_BUTTON)
    page.locator("[data-passkey-message]:not([hidden])").wait_for()
    yield "confirm-passkey-refused"
    device.user_verified(True)
    run_ceremony(page)
    assert page.url.endswith("/account/passkeys/add/")
    yield "confirmed"

    # The device is lost: log out, and recover by the reset link with a passkey on a new device.
    device.lose_everything()
    page.locator('header form[action="/logout/"] button').click()
    page.wait_for_url("**/")
    page.goto("/password-reset/")
    page.fill("#id_email", f"{username}@example.com")
    submit(page, "main button[type=submit]")
    # The reset mail, not the notices of the passkey changes (which link to the page that asks for one).
    reset_link = re.compile(r"/password-reset/[^/\s]+/[^/\s]+/")
    [message] = [m for m in sent_mail() if m.to == [f"{username}@example.com"] and reset_link.search(m.body)]
    page.goto(link_in(message.body, "/password-reset/"))
    yield "reset"
    run_ceremony(page)
    assert page.url.endswith("/account/")
    assert not User.objects.get(username=username).has_usable_password()
    yield "account-after-reset"

    # The lost passkey goes; the new one is the last way in and stays.
    lost = User.objects.get(username=username).passkeys.get(name="My laptop")
    page.goto(f"/account/passkeys/{lost.pk}/remove/")
    submit(page, "main button[type=submit]")
    assert page.url.endswith("/account/")
    assert page.locator("main a[href$='/remove/']").count() == 0  # the last passkey: no Remove, a reason
    assert page.locator(".passkey-only-way").count() == 1
    yield "account-only-way-in"
    last = User.objects.get(username=username).passkeys.get()
    page.goto(f"/account/passkeys/{last.pk}/remove/")
    assert page.locator("main form").count() == 0
    yield "remove-last-way-in"
    lapse_confirmation(page)
    page.goto("/account/password/")
    assert page.locator("#id_current_password").count() == 0
    yield "confirm-passkey-only"
    run_ceremony(page)
    assert page.url.endswith("/account/password/")
    yield "set-password"


def test_a_password_user_adds_a_passkey_confirms_with_it_and_removes_it(page, sent_mail):
    device = VirtualAuthenticator(page)
    sign_up(page)
    sent_mail()
    page.goto("/account/")
    assert "No passkeys yet." in page.locator("main").inner_text()
    page.get_by_role("link", name="Add a passkey").click()
    assert page.get_by_label("Name").input_value() == "Chrome on Linux"
    page.get_by_label("Name").fill("Work laptop")
    with page.expect_navigation():
        page.get_by_role("button", name="Create a passkey").click()
    main = page.locator("main").inner_text()
    assert "Your passkey “Work laptop” has been added." in main
    assert "Work laptop" in main and "Chrome on Linux" in main and "Not yet" in main
    [credential] = device.credentials()
    assert credential["rpId"] == "localhost" and credential["isResidentCredential"]
    [passkey] = User.objects.get(username="minji").passkeys.all()
    assert passkey.credential_id.rstrip("=") == credential["credentialId"].replace("+", "-").replace("/", "_").rstrip(
        "="
    )

    # Five minutes later, removing asks to confirm it's you: with the passkey, no password typed.
    lapse_confirmation(page)
    page.get_by_role("link", name="Remove Work laptop").click()
    page.wait_for_url("**/account/confirm/**")
    assert page.locator("#id_current_password").count() == 1  # the password is offered beside the passkey
    with page.expect_navigation():
        page.get_by_role("button", name="Use a passkey").click()
    assert "/passkeys/" in page.url and "Thank you. You can carry on." in page.locator("main").inner_text()
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None

    # The password is still a way in, so the passkey can go.
    page.get_by_role("button", name="Remove the passkey").click()
    page.wait_for_url("**/account/")
    assert "Your passkey “Work laptop” has been removed." in page.locator("main").inner_text()
    assert not User.objects.get(username="minji").passkeys.exists()


def test_a_cancelled_ceremony_leaves_the_person_on_the_page_with_a_message(page, sent_mail):
    device = VirtualAuthenticator(page)
    sign_up(page)
    page.goto("/account/passkeys/add/")
    device.user_verified(False)
    page.get_by_role("button", name="Create a passkey").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "The passkey was not used" in alert.inner_text()
    assert page.url.endswith("/account/passkeys/add/") and device.credentials() == []


@pytest.mark.parametrize("language", ["en", "ko"])
def test_every_passkey_page_passes_axe(page_in, language, sent_mail):
    page = page_in(language, viewport=SMALLEST_PHONE)
    seen = []
    for state in passkey_states(page, sent_mail):
        assert page.locator("html").get_attribute("lang") == language, state
        assert_no_axe_violations(page)
        assert_fits_width(page)
        assert_touch_targets(page)
        seen.append(state)
    assert seen == [
        "account-no-passkeys",
        "add",
        "add-errors",
        "account-with-passkey",
        "rename",
        "rename-errors",
        "remove",
        "confirm",
        "confirm-passkey-refused",
        "confirmed",
        "reset",
        "account-after-reset",
        "account-only-way-in",
        "remove-last-way-in",
        "confirm-passkey-only",
        "set-password",
    ]
