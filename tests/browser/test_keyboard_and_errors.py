"""Keyboard-only use and error handling in a real Chromium: Tab order, visible focus, the error summary."""

import re

import pytest
from django.contrib.auth.hashers import check_password
from playwright.sync_api import expect

from onboarding.models import User
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {name: "", indicator: false};
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  const style = getComputedStyle(el);
  const ring = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2
    && !style.outlineColor.endsWith(", 0)") && style.outlineColor !== "transparent";
  const highlight = style.backgroundColor === "rgb(255, 221, 0)";
  return {name: (label || el.innerText || el.value || "").trim().replace(/\\s+/g, " "), indicator: ring || highlight};
}"""


def focused(page):
    return page.evaluate(FOCUSED)


def tab_order(page, limit=40):
    """The accessible names of the controls Tab visits, in order, until it leaves the page."""
    names = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        current = focused(page)
        if not current["name"]:
            return names
        assert current["indicator"], f"{current['name']} has no visible focus indicator"
        names.append(current["name"])
    raise AssertionError(f"Tab never left the page: {names}")


def tab_to(page, name, limit=40):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page)["name"] == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


def press(page, key):
    with page.expect_navigation():
        page.keyboard.press(key)


def test_tab_visits_every_control_in_reading_order_with_a_visible_focus(page):
    page.goto("/signup/account/")
    assert focused(page)["name"] == "Username"  # the step opens on its first field (autofocus)
    assert tab_order(page) == [
        "Email address",
        "Password",
        "Show password",
        "Confirm password",
        "Show password",
        "Use a passkey instead of a password",  # beside the password it replaces
        "Next",  # no Start over: nothing is stored yet
        "Terms of use",
        "Privacy notice",
    ]
    # Before the first field, in reading order: what Shift+Tab goes back through.
    page.goto("/signup/account/")
    # Autofocus lands when the browser gets to it, which on a busy machine can be after "load".
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_account-username'")
    before = []
    for _ in range(4):
        page.keyboard.press("Shift+Tab")
        assert focused(page)["indicator"]
        before.insert(0, focused(page)["name"])
    assert before == ["Skip to main content", "Maru", "한국어", "Log in"]


def test_the_skip_link_moves_focus_to_the_main_content(page):
    page.goto("/signup/account/")
    for _ in range(4):  # back from the focused first field to the top of the page
        page.keyboard.press("Shift+Tab")
    assert focused(page)["name"] == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "Username"


def test_a_whole_signup_with_the_keyboard_alone(page):
    page.goto("/")
    tab_to(page, "Sign up")
    press(page, "Enter")

    tab_to(page, "Username")
    page.keyboard.type("minji")
    for name, text in (("Email address", "minji@example.com"), ("Password", PASSWORD), ("Confirm password", PASSWORD)):
        tab_to(page, name)  # past each "Show password" button
        page.keyboard.type(text)
    tab_to(page, "Next")
    press(page, "Enter")

    assert page.url.endswith("/signup/profile/")
    tab_to(page, "Full name")
    page.keyboard.type("Kim Minji")
    tab_to(page, "Next")
    press(page, "Space")

    assert page.url.endswith("/signup/confirm/")
    # Every answer can be changed from here, each link naming its answer.
    tab_to(page, "Change username")
    tab_to(page, "I accept the terms of use")
    page.keyboard.press("Space")
    assert page.is_checked("#id_confirm-accept_terms")
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "Create account"
    press(page, "Enter")

    assert page.url.endswith("/signup/done/")
    assert "Welcome, Kim Minji!" in page.locator("main").inner_text()
    user = User.objects.get(username="minji")
    assert check_password(PASSWORD, user.password)
    assert user.profile.real_name == "Kim Minji"


def test_errors_are_summarised_focused_and_tied_to_their_fields(page):
    page.goto("/signup/account/")
    page.get_by_label("Username").fill("minji")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Next").click()

    expect(page).to_have_title("Error: Account – Step 1 of 3 – Sign up – Maru")
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_accessible_name("There is a problem")
    links = summary.get_by_role("link")
    expect(links).to_have_text(["Enter your email address.", "Type your password again to confirm it."])

    email = page.get_by_label("Email address")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(
        "We will only use it to contact you about your account. Error: Enter your email address."
    )
    username = page.get_by_label("Username")
    expect(username).not_to_have_attribute("aria-invalid", "true")
    expect(username).to_have_accessible_description(re.compile(r"^Up to 150 characters"))
    expect(username).to_have_value("minji")

    links.last.click()
    expect(page.get_by_label("Confirm password")).to_be_focused()
    summary.focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(email).to_be_focused()


def test_a_form_wide_error_on_login_links_to_the_first_field(page):
    page.goto("/login/")
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("wrong password")
    page.locator("main").get_by_role("button", name="Log in", exact=True).click()

    expect(page).to_have_title(re.compile(r"^Error: Log in"))
    expect(page.locator("#error-summary")).to_be_focused()
    page.locator("#error-summary a").click()
    expect(page.get_by_label("Username")).to_be_focused()
    # the error is said once, in the summary
    assert page.locator("main :is(.error-summary, .alert, .invalid-feedback)").count() == 1


def test_show_password_reveals_the_field_and_says_what_a_press_will_do(page):
    page.goto("/signup/account/")
    password = page.get_by_label("Password", exact=True)
    password.fill("a secret typed here")
    toggle = page.get_by_role("button", name="Show password").first
    toggle.click()
    assert password.get_attribute("type") == "text"
    expect(page.get_by_role("button", name="Hide password")).to_have_count(1)
    page.get_by_role("button", name="Hide password").click()
    assert password.get_attribute("type") == "password"
    expect(page.get_by_role("button", name="Show password")).to_have_count(2)
