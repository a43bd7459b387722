"""Passkeys in a real Chromium, with a virtual authenticator through the DevTools protocol (WebAuthn domain) on
http://localhost: sign up with a passkey, log out, log in with it; a cancelled ceremony; a browser without
WebAuthn; a passkey signup finished in another browser from its "finish later" link; axe on each new state."""

import pytest

from onboarding.models import Passkey, User
from tests.browser.conftest import assert_fits_width, assert_no_axe_violations, fill_profile, submit
from tests.mailserver import link_in, text_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}


class Device:
    """A browser page with a virtual platform authenticator (fingerprint-style: resident keys, verified user)."""

    def __init__(self, page, **options):
        self.page = page
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("WebAuthn.enable")
        self.id = self.cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {**AUTHENTICATOR, **options}})[
            "authenticatorId"
        ]

    def credentials(self):
        return self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.id})["credentials"]

    def user_verified(self, verified):
        self.cdp.send("WebAuthn.setUserVerified", {"authenticatorId": self.id, "isUserVerified": verified})

    def remove(self, credential):
        self.cdp.send(
            "WebAuthn.removeCredential", {"authenticatorId": self.id, "credentialId": credential["credentialId"]}
        )


def without_autofill(page):
    """From the next page on, the browser says it has no passkey autofill (conditional mediation): Chromium's
    virtual authenticator answers an autofill request at once, as if the person had picked the passkey."""
    page.add_init_script("PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false)")


def log_out(page):
    page.goto("/account/")
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()


@pytest.fixture
def device(page_in):
    def open_device(language="en", **options):
        return Device(page_in(language, **options))

    return open_device


def account_with_passkey_mode(page, username="minji"):
    page.goto("/signup/")
    page.fill("#id_account-username", username)
    page.fill("#id_account-email", f"{username}@example.com")
    with page.expect_navigation():
        page.click("[data-passkey-offer]")
    assert page.locator("#id_account-password1").count() == 0
    assert page.locator("#id_account-username").input_value() == username  # kept, like Back keeps it


def create_passkey(page):
    page.click("[data-passkey-button]")
    page.locator("[data-passkey-status].passkey-ready").wait_for()


def finish_signup(page):
    fill_profile(page)
    submit(page)
    page.check("#id_confirm-accept_terms")
    submit(page)
    page.wait_for_url("**/signup/done/")


def test_sign_up_with_a_passkey_log_out_and_log_in_with_it(device):
    phone = device("en", viewport={"width": 375, "height": 800})
    page = phone.page
    account_with_passkey_mode(page)
    create_passkey(page)
    [credential] = phone.credentials()
    assert credential["isResidentCredential"] and credential["rpId"] == "localhost"
    submit(page)
    page.wait_for_url("**/signup/profile/")
    fill_profile(page)
    submit(page)
    summary = page.locator("main").inner_text()
    assert "Passkey" in summary and "Created (saved on your device)" in summary and "Chosen (not shown)" not in summary
    page.check("#id_confirm-accept_terms")
    submit(page)
    page.wait_for_url("**/signup/done/")
    user = User.objects.get(username="minji")
    assert not user.has_usable_password() and Passkey.objects.get().user == user

    log_out(page)
    # Autofill: opening the login page asks for a passkey with conditional mediation, which the virtual
    # authenticator answers as a person picking it from the username field's suggestions.
    page.goto("/login/")
    page.wait_for_url("**/account/")
    assert "minji" in page.locator("header").inner_text()
    assert Passkey.objects.get().last_used_at is not None
    log_out(page)

    without_autofill(page)
    page.goto("/login/")
    assert page.locator("#id_username").get_attribute("autocomplete") == "username webauthn"
    page.get_by_role("button", name="Log in with a passkey").click()
    page.wait_for_url("**/account/")
    assert "minji" in page.locator("header").inner_text()
    assert_fits_width(page)


def test_a_cancelled_ceremony_leaves_the_person_on_the_step_with_a_message_and_the_password_path(device):
    phone = device("en")
    page = phone.page
    account_with_passkey_mode(page)
    phone.user_verified(False)  # the person cancels the fingerprint prompt
    page.click("[data-passkey-button]")
    status = page.locator("[data-passkey-status].passkey-problem")
    status.wait_for()
    assert "No passkey was made" in status.inner_text()
    assert page.url.endswith("/signup/account/") and phone.credentials() == []
    assert_no_axe_violations(page)
    submit(page)  # "Next" without a passkey says what to do
    assert "Create a passkey first" in page.locator("#error-summary").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Use a password instead").click()
    assert page.locator("#id_account-password1").is_visible()
    assert page.locator("#id_account-email").input_value() == "minji@example.com"


def test_making_the_passkey_takes_away_the_error_that_asked_for_it(device):
    page = device("en").page
    account_with_passkey_mode(page)
    submit(page)  # "Next" before making one
    assert "Create a passkey first" in page.locator("#error-summary").inner_text()
    create_passkey(page)
    # "Create a passkey first" no longer holds: gone from the field and from the summary (its only error).
    assert not page.locator("#error-summary").is_visible()
    assert not page.locator("[id$='passkey_error']").is_visible()
    assert "Press “Next” to keep it" in page.locator("[data-passkey-status]").inner_text()
    assert_no_axe_violations(page)


def test_a_browser_without_webauthn_gets_the_password_path(page_in):
    page = page_in("en")
    page.add_init_script("delete window.PublicKeyCredential")
    page.goto("/signup/")
    assert page.locator("#id_account-password1").is_visible()
    assert not page.get_by_role("button", name="Use a passkey instead of a password").is_visible()
    page.goto("/login/")
    assert not page.get_by_role("button", name="Log in with a passkey").is_visible()
    assert "needs a browser that supports passkeys" in page.locator("main").inner_text()


def test_login_failures_say_what_happened(device):
    phone = device("en")
    page = phone.page
    account_with_passkey_mode(page)
    create_passkey(page)
    submit(page)
    finish_signup(page)
    page.context.clear_cookies()
    without_autofill(page)

    Passkey.objects.all().delete()  # removed on the site (another session, or staff)
    page.goto("/login/")
    page.get_by_role("button", name="Log in with a passkey").click()
    problem = page.locator("[data-passkey-login] .passkey-problem")
    problem.wait_for()
    assert "This site does not know that passkey" in problem.inner_text()
    assert_no_axe_violations(page)

    [credential] = phone.credentials()
    phone.remove(credential)  # and gone from the device
    page.get_by_role("button", name="Log in with a passkey").click()
    page.wait_for_function(
        "document.querySelector('[data-passkey-status]').textContent.includes('No passkey was used')"
    )
    assert page.url.endswith("/login/")


def test_a_passkey_signup_is_finished_in_another_browser_from_its_link(device, page_in, smtp_server, sent_mail):
    phone = device("en", viewport={"width": 375, "height": 800})
    page = phone.page
    account_with_passkey_mode(page)
    create_passkey(page)
    submit(page)
    fill_profile(page)
    page.get_by_role("button", name="Email me a link to finish later").click()
    page.wait_for_url("**/signup/link-sent/")
    sent_mail()
    link = link_in(text_of(smtp_server.inbox.to("minji@example.com")[-1]), "/signup/resume/")

    laptop = page_in("en")  # another browser: no cookie, no authenticator
    laptop.goto(link)
    laptop.wait_for_url("**/signup/account/?return=confirm")
    text = laptop.locator("main").inner_text()
    assert "with the passkey you made" in text and "Your passkey is ready" in text
    assert laptop.locator("#id_account-password1").count() == 0
    assert_no_axe_violations(laptop)
    submit(laptop)
    laptop.wait_for_url("**/signup/confirm/")
    laptop.check("#id_confirm-accept_terms")
    submit(laptop)
    laptop.wait_for_url("**/signup/done/")
    user = User.objects.get(username="minji")
    assert user.passkeys.get().credential_id and not user.has_usable_password()

    # The phone that made the passkey logs in with it.
    page.context.clear_cookies()
    without_autofill(page)
    page.goto("/login/")
    page.get_by_role("button", name="Log in with a passkey").click()
    page.wait_for_url("**/account/")


@pytest.mark.parametrize("language", ["en", "ko"])
def test_every_new_state_is_axe_clean(device, language):
    phone = device(language)
    page = phone.page
    page.goto("/signup/")
    assert_no_axe_violations(page)  # the offer under the password fields
    account_with_passkey_mode(page)
    assert_no_axe_violations(page)  # the passkey step, nothing made yet
    submit(page)
    page.locator("#error-summary").wait_for()
    assert_no_axe_violations(page)  # "Create a passkey first"
    create_passkey(page)
    assert_no_axe_violations(page)  # made, not kept yet
    submit(page)
    page.wait_for_url("**/signup/profile/")
    with page.expect_navigation():
        page.click("button[name=wizard_goto_step]")
    assert page.locator("[data-passkey-status].passkey-ready").is_visible()
    assert_no_axe_violations(page)  # kept (Back)
    submit(page)
    fill_profile(page)
    submit(page)
    assert_no_axe_violations(page)  # the summary's passkey line
    page.check("#id_confirm-accept_terms")
    submit(page)
    page.wait_for_url("**/signup/done/")
    assert_no_axe_violations(page)  # the done page's words for a passkey
    page.context.clear_cookies()
    without_autofill(page)
    page.goto("/login/")
    assert_no_axe_violations(page)  # "Log in with a passkey"


def passkey_states(device, username="pkshot"):
    """Every new page state of a passkey signup and login, for `make screenshots` (`device`: a Device)."""
    page = device.page
    account_with_passkey_mode(page, username=username)
    yield "signup-step"
    submit(page)
    page.locator("#error-summary").wait_for()
    yield "signup-required"
    device.user_verified(False)
    page.click("[data-passkey-button]")
    page.locator("[data-passkey-status].passkey-problem").wait_for()
    yield "signup-cancelled"
    device.user_verified(True)
    create_passkey(page)
    yield "signup-made"
    submit(page)
    with page.expect_navigation():
        page.click("button[name=wizard_goto_step]")
    yield "signup-kept"
    submit(page)
    fill_profile(page)
    submit(page)
    yield "signup-confirm"
    page.check("#id_confirm-accept_terms")
    submit(page)
    page.wait_for_url("**/signup/done/")
    yield "signup-done"
    page.context.clear_cookies()
    without_autofill(page)
    page.goto("/login/")
    yield "login"
    Passkey.objects.filter(user__username=username).update(sign_count=10**6)  # as a cloned device's would
    page.click("[data-passkey-login] [data-passkey-button]")
    page.locator("[data-passkey-login] .passkey-problem").wait_for()
    yield "login-refused"


def test_an_unconfirmed_address_is_told_to_confirm_and_offered_the_mail_again(
    device, settings, smtp_server, sent_mail
):
    settings.SIGNUP_EMAIL_VERIFICATION = "mandatory"
    phone = device("ko")
    page = phone.page
    account_with_passkey_mode(page)
    create_passkey(page)
    submit(page)
    finish_signup(page)  # not logged in: the address must be confirmed first
    sent_mail()
    before = len(smtp_server.inbox.to("minji@example.com"))
    without_autofill(page)
    page.goto("/login/")
    page.click("[data-passkey-login] [data-passkey-button]")
    page.locator("[data-passkey-resend] button").wait_for()
    assert "먼저 이메일 인증을 해 주세요" in page.locator("[data-passkey-login] .passkey-problem").inner_text()
    assert_no_axe_violations(page)
    with page.expect_navigation():
        page.click("[data-passkey-resend] button")
    sent_mail()
    assert len(smtp_server.inbox.to("minji@example.com")) == before + 1
