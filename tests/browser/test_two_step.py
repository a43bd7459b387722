"""Two-step verification in a real Chromium: turned on with a code computed here from the setup key the page
shows, the login's code page, a recovery code, new codes, turning it off, the limit on wrong codes, staff
sent to set it up before the admin, and "confirm it's you" before granting staff status; axe on every page
and state, in English and Korean."""

import ipaddress
import re
from importlib import import_module

import pytest
from django.conf import settings as django_settings

from onboarding.models import TwoStepDevice, User
from onboarding.session_keys import CONFIRMED_AT_KEY
from onboarding.twostep import totp
from tests.browser.conftest import (
    assert_fits_width,
    assert_no_axe_violations,
    assert_touch_targets,
    sign_up,
    submit,
)
from tests.browser.test_content_security_policy import COLLECT_VIOLATIONS, violations
from tests.conftest import PASSWORD
from tests.servers import client_address
from tests.test_admin import make_signup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SMALLEST_PHONE = {"width": 320, "height": 640}
BUTTON = "main form button[type=submit]"


def log_in(page, username, path="/login/"):
    page.goto(path)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    submit(page, "main form button[type=submit], #login-form [type=submit]")


def log_out(page):
    submit(page, "header form button[type=submit]")


def two_step_states(page, found):
    """Sign up, then every page and state of two-step verification, yielding at each; `found` collects what the
    pages showed (the setup key, the recovery codes, the downloaded file)."""
    sign_up(page)
    page.goto("/account/")
    yield "account-two-step-off"
    page.click("a[href='/account/two-step/turn-on/']")
    page.wait_for_url("**/account/two-step/turn-on/")
    assert page.locator("main svg[role=img]").is_visible()
    yield "turn-on"
    found["secret"] = secret = page.locator("#setup-key").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    code_field = page.locator("#id_code")
    assert code_field.get_attribute("autocomplete") == "one-time-code"
    assert code_field.get_attribute("inputmode") == "numeric"
    code_field.fill("12345")
    submit(page, BUTTON)
    assert page.locator("#error-summary").is_visible()
    yield "turn-on-errors"
    code = totp.code_at(secret, totp.current_step())
    page.locator("#id_code").fill(f"{code[:3]} {code[3:]}")  # pasted as the app groups it
    submit(page, BUTTON)
    page.wait_for_url("**/account/two-step/recovery-codes/")
    found["codes"] = [code.inner_text() for code in page.locator("main ol.recovery-codes li > code").all()]
    yield "recovery-codes"
    with page.expect_download() as download:
        page.click("a.download-codes")
    found["file"] = open(download.value.path(), encoding="utf-8").read()
    submit(page, BUTTON)
    page.wait_for_url("**/account/")
    yield "account-two-step-on"

    log_out(page)
    log_in(page, "minji")
    page.wait_for_url("**/login/code/")
    assert page.locator("#id_code").get_attribute("autocomplete") == "one-time-code"
    yield "login-code"
    page.fill("#id_code", "000000" if totp.code_at(secret, totp.current_step()) != "000000" else "111111")
    submit(page, BUTTON)
    assert page.locator("#error-summary").is_visible()
    yield "login-code-errors"
    page.fill("#id_code", totp.code_at(secret, totp.current_step() + 1))  # a step the setup did not use
    submit(page, BUTTON)
    page.wait_for_url("**/account/")

    log_out(page)
    log_in(page, "minji")
    page.click("a[href='/login/recovery-code/']")
    page.wait_for_url("**/login/recovery-code/")
    assert page.locator("#id_recovery_code").get_attribute("autocomplete") == "one-time-code"
    yield "login-recovery"
    page.fill("#id_recovery_code", "aaaa-bbbb-cccc")
    submit(page, BUTTON)
    assert page.locator("#error-summary").is_visible()
    yield "login-recovery-errors"
    page.fill("#id_recovery_code", found["codes"][0])
    submit(page, BUTTON)
    page.wait_for_url("**/account/")
    yield "account-after-recovery-code"

    page.click("a[href='/account/two-step/new-recovery-codes/']")
    yield "new-recovery-codes"
    submit(page, BUTTON)
    page.wait_for_url("**/account/two-step/recovery-codes/")
    submit(page, BUTTON)
    page.click("a[href='/account/two-step/turn-off/']")
    yield "turn-off"
    submit(page, BUTTON)
    page.wait_for_url("**/account/")
    assert page.locator("a[href='/account/two-step/turn-on/']").is_visible()


@pytest.mark.parametrize("language", ["en", "ko"])
def test_two_step_verification_from_turning_on_to_off_passes_axe(page_in, language):
    page = page_in(language, viewport=SMALLEST_PHONE)
    page.add_init_script(COLLECT_VIOLATIONS)  # the inline QR code and every page run under our CSP
    found, seen = {}, []
    for state in two_step_states(page, found):
        assert page.locator("html").get_attribute("lang") == language, state
        assert_no_axe_violations(page)
        assert_fits_width(page)
        assert_touch_targets(page)
        assert violations(page) == [], state
        seen.append(state)
    assert seen == [
        "account-two-step-off",
        "turn-on",
        "turn-on-errors",
        "recovery-codes",
        "account-two-step-on",
        "login-code",
        "login-code-errors",
        "login-recovery",
        "login-recovery-errors",
        "account-after-recovery-code",
        "new-recovery-codes",
        "turn-off",
    ]
    assert len(found["codes"]) == 10 and all(code in found["file"] for code in found["codes"])
    assert not TwoStepDevice.objects.exists()


@pytest.mark.parametrize("language", ["en", "ko"])
def test_wrong_codes_end_in_our_429_page(page_in, language, settings, make_user):
    settings.LOGIN_RATE_LIMIT = "2/h"
    # The counters outlive a test (a table no flush empties, or Redis): this browser comes from a fresh address,
    # named by the "proxy" in front of the live server.
    settings.CLIENT_IP_HEADER, settings.TRUSTED_PROXIES = "X-Forwarded-For", [ipaddress.ip_network("127.0.0.1")]
    user = make_user("minji")
    TwoStepDevice.objects.create(user=user, secret=totp.new_secret())
    page = page_in(language, extra_http_headers={"X-Forwarded-For": client_address(3600)})
    log_in(page, "minji")
    page.wait_for_url("**/login/code/")
    for _ in range(2):
        page.fill("#id_code", "000000")
        submit(page, BUTTON)
        assert page.locator("#error-summary").is_visible()
    page.fill("#id_code", "000000")
    with page.expect_navigation() as navigation:
        page.click(BUTTON)
    assert navigation.value.status == 429
    assert page.locator("main a[href='/login/code/']").is_visible()
    assert_no_axe_violations(page)


def test_staff_are_sent_to_set_up_two_step_before_the_admin_opens(page, settings):
    settings.SIGNUP_STAFF_REQUIRE_2FA = True
    User.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    log_in(page, "boss", path="/admin/login/")
    page.wait_for_url("**/account/two-step/turn-on/")
    assert "Staff accounts need a second step to open the admin." in page.locator("main").inner_text()
    assert_no_axe_violations(page)
    secret = page.locator("#setup-key").inner_text().replace(" ", "")
    page.fill("#id_code", totp.code_at(secret, totp.current_step()))
    submit(page, BUTTON)
    page.wait_for_url("**/account/two-step/recovery-codes/")
    page.goto("/admin/")
    assert page.locator("#site-name").is_visible()
    # The next login asks for the code, then opens the admin.
    submit(page, "#logout-form button")
    log_in(page, "boss", path="/admin/login/")
    page.wait_for_url("**/login/code/")
    page.fill("#id_code", totp.code_at(secret, totp.current_step() + 1))
    submit(page, BUTTON)
    page.wait_for_url("**/admin/")
    assert page.locator("#site-name").is_visible()


@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_superuser_confirms_its_them_before_granting_staff_status(page_in, language):
    User.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    person = make_signup("plain", "Plain Person")
    page = page_in(language)
    log_in(page, "boss", path="/admin/login/")
    # Longer ago than "confirm it's you" remembers.
    key = next(cookie["value"] for cookie in page.context.cookies() if cookie["name"] == "sessionid")
    session = import_module(django_settings.SESSION_ENGINE).SessionStore(key)
    session[CONFIRMED_AT_KEY] = 0
    session.save()

    change = f"/admin/onboarding/user/{person.pk}/change/"
    page.goto(change)
    page.locator("fieldset.collapse summary, fieldset details summary").first.click()
    page.check("#id_is_staff")
    submit(page, "input[name=_save]")
    error = page.locator("ul.errorlist.nonfield")
    assert error.is_visible()
    assert_no_axe_violations(page)
    person.refresh_from_db()
    assert not person.is_staff
    with page.expect_navigation():
        error.locator("a").click()
    assert "/account/confirm/" in page.url
    assert_no_axe_violations(page)
    page.fill("#id_current_password", PASSWORD)
    submit(page, BUTTON)
    page.wait_for_url(f"**{change}")
    page.locator("fieldset.collapse summary, fieldset details summary").first.click()
    page.check("#id_is_staff")
    submit(page, "input[name=_save]")
    page.wait_for_url("**/admin/onboarding/user/")
    person.refresh_from_db()
    assert person.is_staff
