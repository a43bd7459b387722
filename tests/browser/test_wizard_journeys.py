"""Real journeys in Chromium: resume, Back, browser back and reload, change from the summary, start over, expiry."""

import pytest

from onboarding.models import User
from tests.browser.test_signup_flow import fill_account
from tests.conftest import expire_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def next_step(page, url):
    page.get_by_role("button", name="Next").click()
    page.wait_for_url(f"**{url}")


def to_confirm(page):
    page.goto("/signup/")
    fill_account(page)
    next_step(page, "/signup/profile/")
    page.get_by_label("Full name").fill("Kim Minji")
    page.get_by_label("Phone number (optional)").fill("010 1234 5678")
    next_step(page, "/signup/confirm/")


def heading(page):
    return page.get_by_role("heading", level=1).inner_text()


def test_an_interrupted_person_comes_back_to_the_same_step(browser_context):
    page = browser_context.new_page()
    page.goto("/signup/")
    fill_account(page)
    next_step(page, "/signup/profile/")
    page.get_by_label("Full name").fill("Kim Minji")
    next_step(page, "/signup/confirm/")
    page.close()

    # Later, in a new tab of the same browser.
    page = browser_context.new_page()
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    page.wait_for_url("**/signup/confirm/")
    assert "Kim Minji" in page.locator("main").inner_text()
    page.get_by_role("button", name="Back").click()
    page.wait_for_url("**/signup/profile/")
    assert page.get_by_label("Full name").input_value() == "Kim Minji"


def test_back_keeps_what_was_typed_and_next_brings_it_back(page):
    page.goto("/signup/")
    fill_account(page)
    next_step(page, "/signup/profile/")
    page.get_by_label("What should we call you? (optional)").fill("Minnie")  # full name still empty

    page.get_by_role("button", name="Back").click()
    page.wait_for_url("**/signup/account/")
    assert page.get_by_label("Username").input_value() == "minji"
    assert page.get_by_label("Password", exact=True).input_value() == ""
    assert page.locator("#error-summary").count() == 0

    next_step(page, "/signup/profile/")  # passwords left blank keep the stored one
    assert page.get_by_label("What should we call you? (optional)").input_value() == "Minnie"
    assert page.locator("#error-summary").count() == 0


def test_browser_back_forward_and_reload_never_lose_anything(page):
    errors = []
    page.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
    to_confirm(page)

    page.reload()
    assert heading(page) == "Check your answers"
    page.go_back()
    page.wait_for_url("**/signup/profile/")
    assert page.get_by_label("Full name").input_value() == "Kim Minji"
    page.go_back()
    page.wait_for_url("**/signup/account/")
    assert page.get_by_label("Email address").input_value() == "minji@example.com"
    page.go_forward()
    page.wait_for_url("**/signup/profile/")
    page.reload()
    assert page.get_by_label("Full name").input_value() == "Kim Minji"
    page.go_forward()
    page.wait_for_url("**/signup/confirm/")
    page.get_by_label("I accept the terms").check()
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/signup/done/")

    # Back from the done page, then reload: no error page, no second account.
    page.go_back()
    page.reload()
    page.wait_for_url("**/signup/done/")
    assert "Welcome, Kim Minji!" in page.locator("main").inner_text()
    assert errors == []
    assert User.objects.count() == 1


def test_change_an_answer_from_the_summary(page):
    to_confirm(page)
    page.get_by_role("link", name="Change email address").click()
    page.wait_for_url(lambda url: "/signup/account/?return=confirm" in url)
    page.get_by_label("Email address").fill("minji.kim@example.com")
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/signup/confirm/")
    assert "minji.kim@example.com" in page.locator("main").inner_text()

    page.get_by_role("link", name="Change full name").click()
    page.get_by_label("Full name").fill("Kim Min-ji")
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/signup/confirm/")
    page.get_by_label("I accept the terms").check()
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/signup/done/")
    user = User.objects.get()
    assert (user.email, user.profile.real_name) == ("minji.kim@example.com", "Kim Min-ji")


def test_start_over_clears_the_answers(page):
    to_confirm(page)
    page.get_by_role("button", name="Start over").click()
    page.wait_for_url("**/signup/account/")
    assert "Your answers were cleared" in page.locator("main").inner_text()
    assert page.get_by_label("Username").input_value() == ""
    page.goto("/signup/confirm/")
    page.wait_for_url("**/signup/account/")


def test_an_expired_session_says_so_and_starts_again(page):
    page.goto("/signup/")
    fill_account(page)
    next_step(page, "/signup/profile/")
    page.get_by_label("Full name").fill("Kim Minji")
    session_key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    expire_session(session_key)  # the session times out while the person types

    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/signup/account/")
    main = page.locator("main").inner_text()
    assert "Your session expired" in main
    assert "There is a problem" not in main
    assert User.objects.count() == 0
