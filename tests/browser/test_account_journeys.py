"""After signing up, in a real Chromium: the account page and everything on it, and axe on each of its pages."""

import json

import pytest

from onboarding.models import User
from tests.browser.conftest import (
    assert_fits_width,
    assert_no_axe_violations,
    assert_touch_targets,
    sign_up,
    submit,
)
from tests.conftest import PASSWORD
from tests.mailserver import link_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a different horse 77 staple"
SMALLEST_PHONE = {"width": 320, "height": 640}


def log_in(page, username, password):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    submit(page, "main button[type=submit]")


def test_a_person_manages_their_account_from_signup_to_deletion(page):
    sign_up(page)
    assert "Welcome, Minji!" in page.locator("main").inner_text()

    # Find the account page from the header.
    page.locator("header").get_by_role("link", name="Your account").click()
    page.wait_for_url("**/account/")
    main = page.locator("main").inner_text()
    assert "Kim Minji" in main and "minji@example.com" in main and "+82 10 1234 5678" in main

    # Edit details: the signup's rules, then a save.
    page.get_by_role("link", name="Edit your details").click()
    page.get_by_label("Full name").fill("")
    page.get_by_role("button", name="Save your details").click()
    assert "Enter your full name." in page.locator("#error-summary").inner_text()
    page.get_by_label("Full name").fill("Kim Min-ji")
    page.get_by_label("What should we call you? (optional)").fill("MJ")
    page.get_by_role("button", name="Save your details").click()
    page.wait_for_url("**/account/")
    assert "Your details have been saved." in page.locator("main").inner_text()
    assert "Kim Min-ji" in page.locator("main").inner_text()

    # Change password, log out, log in with the new one.
    # Just after the login: no need to confirm it's you again.
    page.get_by_role("link", name="Change password").click()
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    page.wait_for_url("**/account/")
    assert "Your password has been changed." in page.locator("main").inner_text()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/")
    assert "You have logged out." in page.locator("main").inner_text()
    log_in(page, "minji", PASSWORD)
    assert "The username, email address or password is not right." in page.locator("#error-summary").inner_text()
    log_in(page, "minji", NEW_PASSWORD)
    page.wait_for_url("**/account/")
    assert "Welcome back" not in page.locator("main").inner_text()

    # Download the data.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your data").click()
    data = json.loads(open(download.value.path(), encoding="utf-8").read())
    # No password hash anywhere (the security log names its events, "password_changed" among them).
    assert data["profile"]["preferred_name"] == "MJ" and "password" not in json.dumps({**data, "security_log": []})
    assert [event["kind"] for event in data["security_log"]][-2:] == ["password_changed", "login"]

    # Delete the account, then fail to log in.
    page.get_by_role("link", name="Delete your account").click()
    page.get_by_role("button", name="Delete your account").click()
    assert "Tick the box" in page.locator("#error-summary").inner_text()
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Delete your account").click()
    page.wait_for_url("**/account/deleted/")
    assert page.get_by_role("heading", level=1).inner_text() == "Your account has been deleted"
    assert not User.objects.filter(username="minji").exists()
    log_in(page, "minji", NEW_PASSWORD)
    assert "The username, email address or password is not right." in page.locator("#error-summary").inner_text()


def account_states(page, sent_mail):
    """Every new page of the account, with its error states."""
    sign_up(page, username="minji" * 30)
    yield "done"
    page.goto("/")
    yield "landing-logged-in"
    page.goto("/account/")
    yield "account"
    page.goto("/account/email/")
    yield "email"
    submit(page, "main button[type=submit]")
    yield "email-errors"
    page.fill("#id_email", "new@example.com")
    submit(page, "main button[type=submit]")
    yield "account-email-pending"
    [message] = [message for message in sent_mail() if message.to == ["new@example.com"]]
    page.goto(link_in(message.body, "/account/email/confirm/"))
    yield "confirm-email-change"
    submit(page, "main button[type=submit]")
    yield "email-changed"
    page.goto("/account/details/")
    yield "details"
    page.fill("#id_real_name", "")
    submit(page, "main button[type=submit]")
    yield "details-errors"
    page.goto("/account/password/")
    yield "password"
    page.fill("#id_new_password1", "12345678")
    page.fill("#id_new_password2", "12345678")
    submit(page, "main button[type=submit]")
    assert page.locator(".password-rule.failed").count() == 2  # too short; too common
    yield "password-errors"
    page.goto("/account/delete/")
    yield "delete"
    submit(page, "main button[type=submit]")
    yield "delete-errors"
    page.check("#id_confirm")
    submit(page, "main button[type=submit]")
    assert page.url.endswith("/account/deleted/")
    yield "deleted"


@pytest.mark.parametrize("language", ["en", "ko"])
def test_every_account_page_passes_axe(page_in, language, sent_mail):
    page = page_in(language, viewport=SMALLEST_PHONE)
    seen = []
    for state in account_states(page, sent_mail):
        assert page.locator("html").get_attribute("lang") == language, state
        assert_no_axe_violations(page)
        assert_fits_width(page)
        assert_touch_targets(page)
        seen.append(state)
    assert seen == [
        "done",
        "landing-logged-in",
        "account",
        "email",
        "email-errors",
        "account-email-pending",
        "confirm-email-change",
        "email-changed",
        "details",
        "details-errors",
        "password",
        "password-errors",
        "delete",
        "delete-errors",
        "deleted",
    ]


def test_a_person_changes_their_email_address_through_the_link(page, sent_mail):
    sign_up(page)
    sent_mail()  # the signup's confirmation
    page.goto("/account/")
    page.get_by_role("link", name="Change email address").click()
    page.get_by_label("New email address").fill("minji.new@example.com")
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_url("**/account/")
    main = page.locator("main").inner_text()
    assert "We sent a link to minji.new@example.com." in main and "minji@example.com" in main

    [message] = [message for message in sent_mail() if message.to == ["minji.new@example.com"]]
    link = link_in(message.body, "/account/email/confirm/")
    page.goto(link)
    page.get_by_role("button", name="Confirm my new email address").click()
    assert "Your account's email address is now minji.new@example.com." in page.locator("main").inner_text()
    page.get_by_role("link", name="Go to your account").click()
    assert "minji.new@example.com" in page.locator("main").inner_text()
    assert User.objects.get(username="minji").email == "minji.new@example.com"
