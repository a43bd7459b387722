"""In a real Chromium, the signup and the admin run under our Content-Security-Policy without one violation."""

import pytest

from onboarding.models import User
from tests.browser.test_signup_flow import fill_account
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Chromium fires `securitypolicyviolation` for every script, style or image the policy blocks.
COLLECT_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def violations(page):
    page.wait_for_load_state("load")
    return page.evaluate("window.cspViolations")


@pytest.fixture
def watched_page(page):
    page.add_init_script(COLLECT_VIOLATIONS)
    return page


def test_the_violation_collector_sees_a_blocked_inline_style(watched_page):
    watched_page.goto("/")
    watched_page.evaluate("document.body.setAttribute('style', 'color: red')")
    watched_page.wait_for_function("window.cspViolations.length > 0")
    assert violations(watched_page)[0].startswith("style-src")


def test_the_signup_runs_under_the_policy(watched_page):
    page = watched_page
    page.goto("/")
    assert violations(page) == []
    page.get_by_role("link", name="Sign up").click()
    page.wait_for_url("**/signup/account/")
    assert violations(page) == []
    fill_account(page)
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/signup/profile/")
    assert violations(page) == []
    page.get_by_label("Full name").fill("Kim Minji")
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/signup/confirm/")
    page.get_by_label("I accept the terms of use").check()  # Bootstrap draws the tick as a data: SVG
    assert violations(page) == []
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/signup/done/")
    assert violations(page) == []
    assert User.objects.filter(username="minji").exists()


def test_the_honeypot_is_out_of_sight_and_out_of_the_tab_order(watched_page):
    page = watched_page
    page.goto("/signup/account/")
    box = page.locator("#id_website").bounding_box()
    assert box is None or box["x"] + box["width"] <= 0  # off-screen
    assert "Leave this field empty" not in page.locator("main").aria_snapshot()
    page.get_by_label("Username").focus()
    focused = []
    for _ in range(12):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()"))
    assert "id_website" not in focused
    assert "Next" in focused  # the Tab walk reached past where the field sits


def test_the_admin_runs_under_the_policy(watched_page, live_server):
    User.objects.create_superuser("admin", "admin@example.com", PASSWORD)
    member = User.objects.create_user("member", "member@example.com", PASSWORD)
    page = watched_page
    page.goto("/admin/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    assert violations(page) == []
    page.get_by_role("link", name="Users").first.click()
    page.wait_for_url("**/admin/onboarding/user/")
    assert page.get_by_role("link", name="member").is_visible()
    assert violations(page) == []
    page.get_by_role("link", name="member").click()
    page.wait_for_url(f"**/admin/onboarding/user/{member.pk}/change/")
    # The permission pickers and inline forms come from the admin's own script files.
    page.get_by_text("Permissions", exact=True).first.click()
    page.locator("#id_user_permissions_add_all").click()
    assert violations(page) == []
    page.goto("/admin/onboarding/user/add/")
    assert violations(page) == []
