"""`make screenshots`: PNGs of every page and state, at phone and desktop width, in English and Korean,
in light and dark mode.

Not named test_*.py, so `make test` leaves it out; the Makefile runs it by path.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.utils import timezone

from onboarding.access import invitations
from onboarding.models import Invitation, User
from tests.browser.conftest import fill_account, other_states, signup_states, submit
from tests.browser.test_account_journeys import account_states
from tests.browser.test_passkey_signup_login import Device
from tests.browser.test_passkey_signup_login import passkey_states as passkey_signup_states
from tests.browser.test_passkeys_manage import passkey_states
from tests.browser.test_sessions import sessions_states
from tests.browser.test_two_step import two_step_states
from tests.conftest import PASSWORD
from tests.mailserver import link_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUTPUT = Path(__file__).resolve().parents[2] / "screenshots"
WIDTHS = {"phone": (375, 812), "desktop": (1280, 800)}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", ["en", "ko"])
def test_save_screenshots(page_in, language, width, scheme, settings, sent_mail, make_user):
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
    make_user("minji", language=language)
    for page, state in sessions_states(page_in, language, viewport=viewport, color_scheme=scheme):
        saved.append(shoot(page, name, len(saved) + 1, f"account-{state}"))
    page = page_in(language, viewport=viewport, color_scheme=scheme)
    for state in passkey_states(page, sent_mail, username="passkeys"):
        saved.append(shoot(page, name, len(saved) + 1, f"passkeys-{state}"))
    page = page_in(language, viewport=viewport, color_scheme=scheme)
    for state in two_step_states(page, {}):
        saved.append(shoot(page, name, len(saved) + 1, f"two-step-{state}"))
    device = Device(page_in(language, viewport=viewport, color_scheme=scheme))
    for state in passkey_signup_states(device):
        saved.append(shoot(device.page, name, len(saved) + 1, f"passkey-{state}"))
    page = page_in(language, viewport=viewport, color_scheme=scheme)
    for state in access_states(page, settings):
        saved.append(shoot(page, name, len(saved) + 1, f"access-{state}"))
    page = page_in(language, viewport=viewport, color_scheme=scheme)
    for state in invitation_states(page, settings, sent_mail, language):
        saved.append(shoot(page, name, len(saved) + 1, f"invitation-{state}"))
    # What a browser without JavaScript reads when the proof-of-work is asked for (SIGNUP_CHALLENGE).
    page = page_in(language, viewport=viewport, color_scheme=scheme, java_script_enabled=False)
    settings.SIGNUP_CHALLENGE = "always"
    page.goto("/signup/account/")
    fill_account(page, username="nojavascript", email="nojavascript@example.com")
    submit(page)
    saved.append(shoot(page, name, len(saved) + 1, "challenge-refused"))
    settings.SIGNUP_CHALLENGE = "auto"
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


def invitation_states(page, settings, sent_mail, language):
    """An invitation's pages: the link opened, the account step it starts, and a withdrawn, an expired and a used
    invitation's link."""
    settings.SIGNUP_MODE = "invite"
    boss = User.objects.filter(username="boss").first() or User.objects.create_superuser("boss", None, PASSWORD)
    origin = page.url.split("/signup", 1)[0] if "/signup" in page.url else settings.SITE_URL
    emails = [f"{kind}-{language}@example.com" for kind in ("jisoo", "withdrawn", "late")]
    Invitation.objects.filter(email__in=emails).delete()
    invitations.invite(emails=emails, invited_by=boss, language=language, origin=origin)
    mails = {message.to[0]: message for message in sent_mail()}
    link = {email: urlparse(link_in(mails[email].body, "/signup/invitation/")).path for email in emails}

    page.goto(link[emails[0]])
    yield "link"
    submit(page, "main form button[type=submit]")
    yield "account"
    invitations.revoke(invitations=Invitation.objects.filter(email=emails[1]))
    page.goto(link[emails[1]])
    yield "withdrawn"
    Invitation.objects.filter(email=emails[2]).update(expires_at=timezone.now() - timedelta(minutes=1))
    page.goto(link[emails[2]])
    yield "expired"
    Invitation.objects.filter(email=emails[0]).update(used_at=timezone.now())
    page.goto(link[emails[0]])
    yield "used"
    settings.SIGNUP_MODE = "open"


def shoot(page, name, number, state):
    path = OUTPUT / f"{name}-{number:02d}-{state}.png"
    page.screenshot(path=path, full_page=True)
    return path
