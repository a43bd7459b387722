"""Where you're logged in, in two real Chromium browsers: "Log out everywhere else" ends the other one, on database
and on Redis sessions; axe on the page in both languages."""

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.test import override_settings

from tests.browser.conftest import assert_fits_width, assert_no_axe_violations, assert_touch_targets, submit
from tests.browser.test_account_journeys import SMALLEST_PHONE, log_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


ENGINES = {"database": "onboarding.infra.db_sessions", "redis": "onboarding.infra.sessions"}


def reload_middleware(live_server):
    """The live server's Django handlers read SESSION_ENGINE when they started: have them read the settings again
    (the media files handler in front of Django's serves most paths through a middleware chain of its own)."""
    handler = live_server.thread.httpd.get_app()
    while isinstance(handler, WSGIHandler):
        handler.load_middleware()
        handler = getattr(handler, "application", None)


@pytest.fixture(params=["database", pytest.param("redis", marks=pytest.mark.redis)])
def session_engine(request, live_server):
    with override_settings(SESSION_ENGINE=ENGINES[request.param]):
        reload_middleware(live_server)
        yield request.param
    reload_middleware(live_server)


def everywhere_else(page):
    return page.locator("main").get_by_role("button", name="Log out everywhere else")


def test_log_out_everywhere_else_ends_the_other_browser_and_keeps_this_one(page_in, make_user, session_engine):
    make_user("minji")
    laptop, phone = page_in("en"), page_in("en")
    for page in (laptop, phone):
        log_in(page, "minji", PASSWORD)
        page.wait_for_url("**/account/")

    phone.goto("/account/")
    phone.locator("main").get_by_role("link", name="Where you're logged in").click()
    phone.wait_for_url("**/account/sessions/")
    sessions = phone.locator("main .session-item")
    assert sessions.count() == 2
    assert "This device" in sessions.nth(0).inner_text() and "This device" not in sessions.nth(1).inner_text()
    for text in ("Chrome", "Linux", "127.0.0.1", "Started", "Last active"):
        assert text in sessions.nth(1).inner_text(), text
    # One "Log out" per other session; this one has none.
    assert phone.locator("main").get_by_role("button", name="Log out", exact=True).count() == 1

    with phone.expect_navigation():
        everywhere_else(phone).click()
    main = phone.locator("main").inner_text()
    assert "You have been logged out everywhere else." in main and "You are not logged in anywhere else." in main
    assert phone.locator("main .session-item").count() == 1

    laptop.goto("/account/")
    assert "/login/" in laptop.url  # the other browser is logged out
    phone.goto("/account/")
    assert phone.url.endswith("/account/") and "Security log" in phone.locator("main").inner_text()
    log = phone.locator("main .security-log").inner_text()
    assert "Logged out everywhere else" in log and log.count("Logged in") == 2


def sessions_states(page_in, language, **options):
    """The sessions page with another browser logged in, then after "Log out everywhere else"."""
    other = page_in(language)
    log_in(other, "minji", PASSWORD)
    page = page_in(language, **options)
    log_in(page, "minji", PASSWORD)
    page.goto("/account/sessions/")
    assert page.locator("main .session-item").count() == 2
    yield page, "sessions"
    submit(page, "main button[name=everywhere]")
    assert page.locator("main .session-item").count() == 1
    yield page, "sessions-alone"


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_sessions_page_passes_axe(page_in, make_user, language):
    make_user("minji", language=language)
    seen = []
    for page, state in sessions_states(page_in, language, viewport=SMALLEST_PHONE):
        assert page.locator("html").get_attribute("lang") == language, state
        assert_no_axe_violations(page)
        assert_fits_width(page)
        assert_touch_targets(page)
        seen.append(state)
    assert seen == ["sessions", "sessions-alone"]
