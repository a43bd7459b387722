"""The wizard's details in Chromium: the language switch keeps what was typed, the password fields say why
they are empty, password rules are marked in place, Start over appears only with answers and asks first,
and the progress shows one form per screen width."""

import re

import pytest
from playwright.sync_api import expect

from onboarding.models import User
from tests.browser.conftest import fill_account, fill_profile, submit
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}


def switch_language(page, name):
    with page.expect_navigation():
        page.locator("header").get_by_role("button", name=name).click()


def test_the_language_switch_keeps_answers_typed_but_not_sent(page_in):
    page = page_in("en", viewport=DESKTOP)
    page.goto("/signup/")
    page.get_by_label("Username").fill("minji")
    page.get_by_label("Email address").fill("not-yet-checked")  # invalid, but no error is shown for it

    switch_language(page, "한국어")
    assert page.url.endswith("/signup/account/")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.get_by_label("아이디")).to_have_value("minji")
    expect(page.get_by_label("이메일 주소")).to_have_value("not-yet-checked")
    expect(page.locator("#error-summary")).to_have_count(0)
    expect(page.locator(".is-invalid")).to_have_count(0)

    # On a later step too, and the answers go on to the account.
    page.get_by_label("이메일 주소").fill("minji@example.com")
    page.locator("#id_account-password1").fill(PASSWORD)
    page.locator("#id_account-password2").fill(PASSWORD)
    submit(page)
    page.get_by_role("textbox", name="이름", exact=True).fill("김민지")
    switch_language(page, "English")
    assert page.url.endswith("/signup/profile/")
    expect(page.get_by_label("Full name")).to_have_value("김민지")
    submit(page)
    page.get_by_label("I accept the terms of use").check()
    submit(page)
    page.wait_for_url("**/signup/done/")
    assert User.objects.get().profile.real_name == "김민지"


def test_a_valid_account_step_switched_mid_way_keeps_the_password_too(page_in):
    page = page_in("en", viewport=DESKTOP)
    page.goto("/signup/")
    fill_account(page)
    switch_language(page, "한국어")
    # The password was never sent back; the page says it is kept, and Next accepts blank fields.
    expect(page.locator("#id_account-password1")).to_have_value("")
    expect(page.locator("#id_account-password1")).to_have_accessible_description(
        re.compile("비밀번호 칸을 비워 주세요")
    )
    submit(page)
    page.wait_for_url("**/signup/profile/")


def test_after_an_error_the_empty_password_fields_say_why(page_in):
    page = page_in("en", viewport=DESKTOP)
    page.goto("/signup/")
    password1, password2 = page.locator("#id_account-password1"), page.locator("#id_account-password2")
    # Before anything is sent: the rules, once, and no talk of emptied fields.
    expect(password1).to_have_accessible_description(re.compile("At least 15 characters"))
    expect(password1).not_to_have_accessible_description(re.compile("empty"))
    expect(page.locator(".password-rule")).to_have_count(6)

    fill_account(page, email="not an email")
    submit(page)
    expect(page.locator("#error-summary")).to_be_focused()
    expect(password1).to_have_value("")
    expect(password2).to_have_value("")
    # The password met every rule, so its hash is kept through the address's error, and the page says so.
    expect(password1).to_have_accessible_description(re.compile("Your password meets the rules, so we kept it"))
    expect(password2).to_have_accessible_description(re.compile("Leave this blank too"))


def test_a_failing_rule_is_marked_on_its_own_line_not_repeated(page_in):
    page = page_in("en", viewport=DESKTOP)
    page.goto("/signup/")
    fill_account(page, password="password")
    submit(page)
    failed = page.locator(".password-rule.failed")
    expect(failed).to_have_count(2)  # too short, and on the lists of common passwords
    expect(failed.first).to_contain_text("Not met")
    expect(failed.first).to_contain_text("At least 15 characters")
    expect(failed.first).to_contain_text("Your password is 8 characters long. Make it at least 15 characters")
    expect(failed.last).to_contain_text("Your password is on a list of leaked or common passwords")
    expect(page.locator(".password-rule")).to_have_count(6)  # still each rule once
    # One error for the field, pointing at the marks; what each rule says is not repeated elsewhere.
    expect(page.locator("#error-summary")).to_contain_text("does not meet the rules marked under the password field")
    expect(page.locator("#error-summary")).not_to_contain_text("8 characters long")
    expect(page.get_by_text("Your password is 8 characters long")).to_have_count(1)


def test_start_over_is_hidden_on_a_blank_first_step_and_asks_before_clearing(page_in):
    page = page_in("en", viewport=DESKTOP)
    page.goto("/signup/")
    expect(page.get_by_role("button", name="Start over")).to_have_count(0)
    page.get_by_label("Username").fill("minji")  # typed, not stored: still nothing to start over from
    expect(page.get_by_role("button", name="Start over")).to_have_count(0)

    fill_account(page)
    submit(page)
    page.get_by_label("Full name").fill("Kim Minji")  # typed on this step, not sent
    page.get_by_role("button", name="Start over").click()
    page.wait_for_url("**/signup/start-over/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Start over?")

    # Changing one's mind loses nothing, not even what was typed on the step.
    page.get_by_role("link", name="Keep my answers").click()
    page.wait_for_url("**/signup/profile/")
    expect(page.get_by_label("Full name")).to_have_value("Kim Minji")

    page.get_by_role("button", name="Start over").click()
    page.wait_for_url("**/signup/start-over/")
    page.locator("main").get_by_role("button", name="Start over").click()
    page.wait_for_url("**/signup/account/")
    expect(page.locator("main")).to_contain_text("Your answers have been deleted")
    expect(page.get_by_label("Username")).to_have_value("")
    expect(page.get_by_role("button", name="Start over")).to_have_count(0)


@pytest.mark.parametrize(("viewport", "compact"), [(PHONE, True), (DESKTOP, False)])
def test_the_progress_shows_one_form_per_width(page_in, viewport, compact):
    page = page_in("en", viewport=viewport)
    page.goto("/signup/")
    fill_account(page)
    submit(page)
    progress = page.get_by_role("navigation", name="Signup progress")
    short, steps = progress.locator(".wizard-progress-compact"), progress.locator(".wizard-progress-steps")
    if compact:
        expect(short).to_be_visible()
        expect(short).to_have_text("Step 2 of 3: Profile")
        expect(steps).to_be_hidden()
    else:
        expect(steps).to_be_visible()
        expect(steps.locator("[aria-current=step]")).to_contain_text("Profile")
        expect(short).to_be_hidden()
    # Whatever the width, the page says where the person is exactly once.
    assert page.locator("main").inner_text().count("Step 2 of 3") == 1


def test_the_confirm_step_links_the_terms_in_a_new_tab_and_names_what_is_accepted(page_in):
    page = page_in("en", viewport=DESKTOP)
    page.goto("/signup/")
    fill_account(page)
    submit(page)
    fill_profile(page)
    submit(page)
    checkbox = page.get_by_role("checkbox", name="I accept the terms of use")
    checkbox.check()
    with page.context.expect_page() as new_tab:
        page.locator("main").get_by_role("link", name="terms of use").click()
    terms = new_tab.value
    terms.wait_for_load_state()
    expect(terms.get_by_role("heading", level=1)).to_have_text("Terms of use")
    expect(checkbox).to_be_checked()  # the signup tab is untouched
    expect(page.locator("footer").get_by_role("link", name="Privacy notice")).to_have_attribute("href", "/privacy/")
