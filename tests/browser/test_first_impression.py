"""A first-time visitor in a real Chromium: passphrases that work, a login that takes an address, the first
field focused, one error per problem, and a console with nothing to complain about."""

import re

import pytest
from django.contrib.auth.hashers import make_password
from playwright.sync_api import expect

from onboarding.models import User
from onboarding.signup.accounts import create_account
from tests.browser.conftest import assert_no_axe_violations, fill_account, submit
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}


@pytest.mark.parametrize("passphrase", ["red apple blue sky", "coffee before work every day"])
def test_an_ordinary_passphrase_is_accepted(page_in, passphrase):
    page = page_in("en", viewport=DESKTOP)
    page.goto("/signup/")
    fill_account(page, password=passphrase)
    submit(page)
    page.wait_for_url("**/signup/profile/")


@pytest.mark.parametrize("password", ["correct horse battery staple", "Correct Horse Battery Staple"])
def test_the_famous_passphrase_is_refused_for_being_on_the_lists(page_in, password):
    page = page_in("en", viewport=DESKTOP)
    page.goto("/signup/")
    fill_account(page, password=password)
    submit(page)
    failed = page.locator(".password-rule.failed")
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text("Not on a list of 4 million leaked or common passwords.")
    expect(failed).to_contain_text("Your password is on a list of leaked or common passwords")
    assert_no_axe_violations(page)


def test_a_good_password_is_kept_through_a_taken_username(page_in, live_server):
    create_account(
        username="Taken", email="taken@example.com", password_hash=make_password(PASSWORD), real_name="Taken Person"
    )
    page = page_in("en", viewport=DESKTOP)
    page.goto("/signup/")
    fill_account(page, username="taken")
    submit(page)
    expect(page.locator("#error-summary")).to_contain_text("That username is taken.")
    expect(page.locator("#id_account-password1")).to_have_accessible_description(
        re.compile("Your password meets the rules, so we kept it")
    )
    # Change the username: the page says why the password is asked for again.
    page.fill("#id_account-username", "minji")
    submit(page)
    expect(page.locator("#error-summary")).to_contain_text("You changed your username or email address")
    assert_no_axe_violations(page)


def test_login_with_the_email_address_in_another_case(page_in, live_server):
    create_account(
        username="minji", email="minji@example.com", password_hash=make_password(PASSWORD), real_name="Kim Minji"
    )
    page = page_in("en", viewport=DESKTOP)
    page.goto("/login/")
    field = page.get_by_label("Username or email address")
    expect(field).to_be_focused()
    assert field.get_attribute("name") == "username"
    assert_no_axe_violations(page)
    field.fill("MinJi@Example.COM")
    page.fill("#id_password", PASSWORD)
    submit(page, "main button[type=submit]")
    page.wait_for_url("**/account/")
    assert User.objects.get(username="minji").last_login is not None


def test_each_step_opens_with_its_first_field_focused(page_in):
    page = page_in("en", viewport=DESKTOP)
    page.goto("/signup/")
    expect(page.locator("#id_account-username")).to_be_focused()
    fill_account(page)
    submit(page)
    expect(page.locator("#id_profile-real_name")).to_be_focused()


def test_one_error_for_a_username_with_a_space_and_a_bang_and_log_in_instead_is_a_link(page_in, live_server):
    create_account(
        username="taken", email="taken@example.com", password_hash=make_password(PASSWORD), real_name="Taken Person"
    )
    page = page_in("en", viewport=DESKTOP)
    page.goto("/signup/")
    fill_account(page, username="my name!", email="taken@example.com")
    submit(page)
    expect(page.locator("#id_account-username_error p")).to_have_count(1)
    expect(page.locator("#error-summary li")).to_have_count(2)  # the username once, the address once
    page.get_by_role("link", name="Log in instead", exact=True).click()
    page.wait_for_url("**/login/")


def test_no_console_warnings_and_an_admin_icon(page_in, live_server):
    page = page_in("en", viewport=DESKTOP)
    messages, missing = [], []
    page.on("console", lambda message: messages.append(message.text))
    page.on("response", lambda response: response.status == 404 and missing.append(response.url))
    for path in ("/", "/signup/", "/login/", "/admin/login/"):
        page.goto(path)
        page.wait_for_load_state("load")
    assert not [text for text in messages if "Permissions-Policy" in text or "Unrecognized feature" in text], messages
    assert not missing, missing
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(icon).status == 200


def test_a_korean_page_shows_the_browsers_zone_and_so_does_the_mail(page_in, smtp_server, sent_mail):
    from tests.browser.conftest import fill_profile
    from tests.mailserver import text_of

    page = page_in("ko", viewport=DESKTOP, timezone_id="America/New_York")
    page.goto("/signup/")
    fill_account(page)
    submit(page)
    fill_profile(page)
    with page.expect_navigation():
        page.get_by_role("button", name="나중에 마칠 수 있도록 링크를 이메일로 받기").click()
    main = page.locator("main")
    expect(main).to_contain_text("(America/New_York)")
    expect(main).to_contain_text(re.compile(r"(오전|오후) \d{1,2}:\d\d \(America/New_York\)"))
    assert_no_axe_violations(page)
    sent_mail()
    [message] = smtp_server.inbox.to("minji@example.com")
    assert re.search(r"(오전|오후) \d{1,2}:\d\d \(America/New_York\)", text_of(message))


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_account_page_on_a_phone_has_44px_actions_in_groups(page_in, language):
    from tests.browser.conftest import assert_fits_width, sign_up

    page = page_in(language, viewport={"width": 375, "height": 740})
    sign_up(page)
    page.goto("/account/")
    actions = page.locator("main .account-action, main .account-delete")
    # details, email, data, password, sessions, to two-step verification, "Add a passkey", its "Turn on", delete
    assert actions.count() == 9
    for action in actions.all():
        box = action.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, action.inner_text()
    tops = sorted(action.bounding_box()["y"] for action in actions.all())
    assert all(b - a >= 44 for a, b in zip(tops, tops[1:])), "targets overlap"
    groups = page.locator("main section.account-group h2")
    expect(groups).to_have_count(5)  # details, signing in, two-step verification, the security log, the danger zone
    delete = page.locator("main .account-delete")
    assert "btn-outline-danger" in delete.get_attribute("class")
    assert delete.evaluate("e => e.closest('section').classList.contains('account-danger')")
    assert_no_axe_violations(page)
    assert_fits_width(page)
