"""Browser helpers: a page in English or Korean, the axe-core check, and steps through the wizard."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import PASSWORD

LOCALES = {"en": "en-GB", "ko": "ko-KR"}
# WCAG 2.1 A and AA; axe-core comes from the pinned axe-playwright-python wheel, so no network is needed.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE = Axe()


def assert_no_axe_violations(page):
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    assert results.violations_count == 0, f"{page.url}: {results.generate_report()}"


def assert_fits_width(page):
    """Nothing sticks out sideways: the page never needs horizontal scrolling."""
    scroll_width, viewport_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= viewport_width, f"{page.url}: {scroll_width}px wide in a {viewport_width}px window"


# Every control a finger aims at; links inside sentences are exempt, as WCAG allows, and so is the
# honeypot, which is off-screen and hidden from everyone (aria-hidden).
TARGETS = (
    "header :is(a, button), main :is(button, a.btn, .summary-action a, .form-check-label,"
    " input:not([type=hidden]):not([type=checkbox]):not([aria-hidden=true] *))"
)


def assert_touch_targets(page):
    """Each control is at least 44 x 44 px; a checkbox is at least 24 px and its label 44 px tall."""
    small = []
    for target in page.locator(TARGETS).all():
        box = target.bounding_box()
        if box and (box["height"] < 44 or box["width"] < 44):
            small.append(f"{target.evaluate('e => e.outerHTML')[:80]} is {box['width']:.0f}x{box['height']:.0f}")
    for checkbox in page.locator("main input[type=checkbox]").all():
        box = checkbox.bounding_box()
        if box["height"] < 24 or box["width"] < 24:
            small.append(f"checkbox {checkbox.get_attribute('id')} is {box['width']:.0f}x{box['height']:.0f}")
    assert not small, f"{page.url}: small targets: {small}"


@pytest.fixture
def page_in(browser, live_server, settings):
    """Open a page in a fresh browser whose Accept-Language asks for the given language."""
    settings.SITE_URL = live_server.url
    contexts = []

    def open_page(language="en", **options):
        context = browser.new_context(base_url=live_server.url, locale=LOCALES[language], **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


# Steps through the wizard by field id and button role, so they work in either language.


def submit(page, button=".wizard-buttons .btn-primary"):
    """Press the step's main button (Next or Create account) and wait for the next page."""
    with page.expect_navigation():
        page.click(button)


def fill_account(page, username="minji", email="minji@example.com", password=PASSWORD):
    page.fill("#id_account-username", username)
    page.fill("#id_account-email", email)
    page.fill("#id_account-password1", password)
    page.fill("#id_account-password2", password)


def fill_profile(page, real_name="Kim Minji", preferred_name="Minji", phone="+82 10 1234 5678"):
    page.fill("#id_profile-real_name", real_name)
    page.fill("#id_profile-preferred_name", preferred_name)
    page.fill("#id_profile-phone", phone)


def sign_up(page, username="minji"):
    """A whole signup with the usual answers, in either language; ends on the done page."""
    page.goto("/signup/")
    fill_account(page, username=username, email=f"{username}@example.com")
    submit(page)
    fill_profile(page)
    submit(page)
    page.check("#id_confirm-accept_terms")
    submit(page)
    page.wait_for_url("**/signup/done/")


def signup_states(page, username="minji"):
    """Walk a whole signup, pausing (yield) at every page and state a person sees on the way."""
    page.goto("/")
    yield "landing"
    page.goto("/signup/")
    yield "account"
    submit(page)
    assert page.locator("#error-summary").is_visible()
    yield "account-errors"
    fill_account(page, username=username, email=f"{username}@example.com")
    submit(page)
    yield "profile"
    fill_profile(page, real_name="", phone="call me")
    submit(page)
    assert page.locator("#error-summary li").count() == 2
    yield "profile-errors"
    fill_profile(page)
    submit(page)
    yield "confirm"
    submit(page)
    assert page.locator("#error-summary").is_visible()
    yield "confirm-errors"
    page.check("#id_confirm-accept_terms")
    submit(page)
    assert page.url.endswith("/signup/done/")
    yield "done"
    page.goto("/")
    yield "landing-logged-in"


def other_states(page):
    """Every other page: login, the wizard's messages, the done page of an account awaiting review, and the
    error pages. Needs settings ROOT_URLCONF="tests.urls" and SIGNUP_REQUIRES_APPROVAL=True."""
    page.goto("/login/")
    yield "login"
    page.fill("#id_username", "nobody")
    page.fill("#id_password", "wrong password")
    submit(page, "main button[type=submit]")
    assert page.locator("#error-summary").is_visible()
    yield "login-errors"

    page.goto("/password-reset/")
    yield "password-reset"
    page.fill("#id_email", "not an address")
    submit(page, "main button[type=submit]")
    assert page.locator("#error-summary").is_visible()
    yield "password-reset-errors"
    page.fill("#id_email", "nobody@example.com")
    submit(page, "main button[type=submit]")
    assert page.url.endswith("/password-reset/sent/")
    yield "password-reset-sent"
    assert page.goto("/email/confirm/not-a-token/").status == 400
    yield "link-problem"

    page.goto("/signup/account/")
    fill_account(page)
    submit(page)
    submit(page, ".wizard-buttons .start-over")
    assert page.url.endswith("/signup/start-over/")
    yield "start-over-confirm"
    submit(page, "main button[type=submit]")
    assert page.locator(".alert-info").is_visible()
    yield "start-over"

    fill_account(page)
    submit(page)
    page.context.clear_cookies(name="sessionid")
    fill_profile(page)
    submit(page)
    assert page.url.endswith("/signup/account/") and page.locator(".alert-danger").is_visible()
    yield "session-expired"

    page.goto("/signup/already-created/")
    yield "already-created"

    page.goto("/terms/")
    yield "terms"
    page.goto("/privacy/")
    yield "privacy"

    page.goto("/signup/account/")
    fill_account(page, username="waiting", email="waiting@example.com")
    submit(page)
    fill_profile(page)
    submit(page)
    page.check("#id_confirm-accept_terms")
    submit(page)
    assert page.url.endswith("/signup/done/") and page.locator("main .alert-info").is_visible()
    yield "done-awaiting-review"

    # A page whose hidden wizard data was tampered with: the wizard answers 400. (After finishing, a step's
    # address shows the done page again; /signup/ starts a new signup.)
    page.goto("/signup/")
    page.evaluate("document.querySelector('[name=signup_wizard-current_step]').value = 'tampered'")
    with page.expect_navigation() as navigation:
        page.click(".wizard-buttons .btn-primary")
    assert navigation.value.status == 400
    yield "400"

    page.goto("/signup/account/")
    page.context.clear_cookies(name="csrftoken")
    with page.expect_navigation() as navigation:
        page.click(".wizard-buttons .btn-primary")
    assert navigation.value.status == 403
    yield "403-csrf"

    for status, url in (
        (403, "/test-errors/403/"),
        (404, "/no-such-page/"),
        (429, "/test-errors/429/"),
        (500, "/test-errors/500/"),
        (503, "/test-errors/503/"),
    ):
        assert page.goto(url).status == status
        yield str(status)
