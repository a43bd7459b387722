"""Every page and state, in English and Korean, light and dark, on a 320 px phone and a 1280 px desktop:
no axe-core WCAG 2.1 A/AA violation (colour contrast included), no sideways scrolling, controls large
enough to tap."""

import pytest

from tests.browser.conftest import (
    assert_fits_width,
    assert_no_axe_violations,
    assert_touch_targets,
    other_states,
    signup_states,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SMALLEST_PHONE = {"width": 320, "height": 640}
VIEWPORTS = {"320px": SMALLEST_PHONE, "1280px": {"width": 1280, "height": 800}}
SCHEMES = ["light", "dark"]
# Letters only, so the browser has no hyphen or space to wrap at.
LONGEST_USERNAME = "minji" * 30


def check(page, language, state):
    assert page.locator("html").get_attribute("lang") == language, state
    assert_no_axe_violations(page)
    assert_fits_width(page)
    assert_touch_targets(page)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", VIEWPORTS)
@pytest.mark.parametrize("language", ["en", "ko"])
def test_every_step_and_state_of_the_signup_passes_axe(page_in, language, width, scheme):
    page = page_in(language, viewport=VIEWPORTS[width], color_scheme=scheme)
    assert page.evaluate(f"matchMedia('(prefers-color-scheme: {scheme})').matches")
    seen = []
    for state in signup_states(page, username=LONGEST_USERNAME):
        check(page, language, state)
        seen.append(state)
    assert seen == [
        "landing",
        "account",
        "account-errors",
        "profile",
        "profile-errors",
        "confirm",
        "confirm-errors",
        "done",
        "landing-logged-in",
    ]


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", VIEWPORTS)
@pytest.mark.parametrize("language", ["en", "ko"])
def test_login_messages_and_error_pages_pass_axe(page_in, language, width, scheme, settings):
    settings.ROOT_URLCONF = "tests.urls"
    settings.SIGNUP_REQUIRES_APPROVAL = True  # for the "awaiting review" done page
    page = page_in(language, viewport=VIEWPORTS[width], color_scheme=scheme)
    seen = []
    for state in other_states(page):
        check(page, language, state)
        seen.append(state)
    assert seen == [
        "login",
        "login-errors",
        "password-reset",
        "password-reset-errors",
        "password-reset-sent",
        "link-problem",
        "start-over-confirm",
        "start-over",
        "session-expired",
        "already-created",
        "terms",
        "privacy",
        "done-awaiting-review",
        "400",
        "403-csrf",
        "403",
        "404",
        "429",
        "500",
        "503",
    ]


def test_the_checks_report_what_they_find(page_in):
    page = page_in("en", viewport=SMALLEST_PHONE)
    page.goto("/")
    # An unlabelled, small, too wide field; styled through the CSSOM, which a CSP without 'unsafe-inline' allows.
    page.evaluate(
        """() => {
        const field = document.createElement("input");
        Object.assign(field.style, {width: "400px", height: "20px"});
        document.querySelector("main").append(field);
    }"""
    )
    with pytest.raises(AssertionError, match="label"):
        assert_no_axe_violations(page)
    with pytest.raises(AssertionError, match="wide in a 320px window"):
        assert_fits_width(page)
    with pytest.raises(AssertionError, match="small targets"):
        assert_touch_targets(page)
