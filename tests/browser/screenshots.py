"""`make screenshots`: PNGs of every page and state, at phone and desktop width, in English and Korean,
in light and dark mode.

Not named test_*.py, so `make test` leaves it out; the Makefile runs it by path.
"""

from pathlib import Path

import pytest

from tests.browser.conftest import fill_account, other_states, signup_states, submit
from tests.browser.test_account_journeys import account_states
from tests.browser.test_passkey_signup_login import Device, passkey_states

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUTPUT = Path(__file__).resolve().parents[2] / "screenshots"
WIDTHS = {"phone": (375, 812), "desktop": (1280, 800)}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", ["en", "ko"])
def test_save_screenshots(page_in, language, width, scheme, settings, sent_mail):
    settings.ROOT_URLCONF = "tests.urls"
    OUTPUT.mkdir(exist_ok=True)
    viewport = {"width": WIDTHS[width][0], "height": WIDTHS[width][1]}
    page = page_in(language, viewport=viewport, color_scheme=scheme)
    saved = []
    name = f"{language}-{width}-{scheme}"
    for state in signup_states(page, username="screenshot"):
        saved.append(shoot(page, name, len(saved) + 1, state))
    settings.SIGNUP_REQUIRES_APPROVAL = True  # for other_states' "awaiting review" done page
    page = page_in(language, viewport=viewport, color_scheme=scheme)
    for state in other_states(page):
        saved.append(shoot(page, name, len(saved) + 1, state))
    settings.SIGNUP_REQUIRES_APPROVAL = False  # the account pages of someone logged in
    page = page_in(language, viewport=viewport, color_scheme=scheme)
    for state in account_states(page, sent_mail):
        if state not in ("done", "landing-logged-in"):  # shot above, in signup_states
            saved.append(shoot(page, name, len(saved) + 1, f"account-{state}"))
    device = Device(page_in(language, viewport=viewport, color_scheme=scheme))
    for state in passkey_states(device):
        saved.append(shoot(device.page, name, len(saved) + 1, f"passkey-{state}"))
    page = page_in(language, viewport=viewport, color_scheme=scheme)
    for state in access_states(page, settings):
        saved.append(shoot(page, name, len(saved) + 1, f"access-{state}"))
    assert all(path.stat().st_size for path in saved)


def access_states(page, settings):
    """Who gets in (onboarding/access/): a throwaway address refused, the invitation-only and closed pages, the
    waitlist's form, its error and the page after it."""
    page.goto("/signup/account/")
    fill_account(page, username="someone", email="someone@mailinator.com")
    submit(page)
    yield "throwaway-refused"
    settings.SIGNUP_MODE = "invite"
    page.goto("/signup/")
    yield "invitation-only"
    settings.SIGNUP_MODE = "closed"
    page.goto("/signup/")
    yield "closed"
    settings.SIGNUP_MODE = "waitlist"
    page.goto("/signup/")
    yield "waitlist"
    page.locator("main input[type=email]").fill("someone@mailinator.com")
    submit(page, "main form button[type=submit]")
    yield "waitlist-refused"
    page.locator("main input[type=email]").fill("minji@example.com")
    submit(page, "main form button[type=submit]")
    assert page.url.endswith("/signup/waitlist/sent/")
    yield "waitlist-sent"
    settings.SIGNUP_MODE = "open"


def shoot(page, name, number, state):
    path = OUTPUT / f"{name}-{number:02d}-{state}.png"
    page.screenshot(path=path, full_page=True)
    return path
