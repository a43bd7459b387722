"""In a real Chromium with SIGNUP_CHALLENGE=always: a person signs up without seeing anything of the proof-of-work,
under our Content-Security-Policy, and the account page passes axe while it works."""

import time

import pytest
from playwright.sync_api import expect

from onboarding.models import Profile, User
from tests.browser.conftest import assert_no_axe_violations, fill_account, fill_profile, submit
from tests.browser.test_content_security_policy import COLLECT_VIOLATIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "ko"])
def test_always_a_person_signs_up_without_seeing_the_check(page_in, settings, language):
    settings.SIGNUP_CHALLENGE = "always"
    page = page_in(language)
    page.add_init_script(COLLECT_VIOLATIONS)
    page.goto("/signup/")
    assert page.locator("[data-challenge]").count() == 1
    assert_no_axe_violations(page)
    # The worker solves it in about a second, before a person has typed anything.
    started = time.monotonic()
    expect(page.locator("input[name=challenge]")).not_to_have_value("", timeout=20_000)
    solved_in = time.monotonic() - started
    assert page.locator(".signup-challenge").inner_text().strip() == ""  # nothing shown
    fill_account(page, username=f"person{language}", email=f"person{language}@example.com")
    submit(page)
    assert page.url.endswith("/signup/profile/"), page.content()[:3000]
    fill_profile(page)
    submit(page)
    page.check("#id_confirm-accept_terms")
    submit(page)
    assert page.url.endswith("/signup/done/")
    assert page.evaluate("window.cspViolations") == []
    assert User.objects.filter(username=f"person{language}").exists()
    assert "challenge_needed" not in Profile.objects.get(user__username=f"person{language}").risk_reasons
    print(f"solved in {solved_in:.2f} s")


def test_always_a_press_before_the_check_is_done_waits_for_it_politely(page_in, settings):
    settings.SIGNUP_CHALLENGE = "always"
    page = page_in("en")
    # A slow device: the worker's answer arrives late (its messages held back for two seconds).
    page.add_init_script(
        """
        const RealWorker = window.Worker;
        window.Worker = function (url) {
          const worker = new RealWorker(url);
          const proxy = { postMessage: (m) => worker.postMessage(m), terminate: () => worker.terminate() };
          worker.onmessage = (event) => setTimeout(() => proxy.onmessage(event), 2000);
          return proxy;
        };
        """
    )
    page.goto("/signup/")
    fill_account(page, username="keyboard", email="keyboard@example.com")
    page.press("#id_account-password2", "Enter")  # the keyboard's way to press Next
    status = page.locator("[data-challenge-status]")
    status.filter(has_text="Checking your browser").wait_for()
    assert status.get_attribute("aria-live") == "polite" and status.get_attribute("role") == "status"
    assert_no_axe_violations(page)
    page.wait_for_url("**/signup/profile/", timeout=20_000)


def test_without_javascript_the_account_step_is_refused_with_the_reason_and_keeps_the_answers(
    browser, live_server, settings, page_in
):
    settings.SIGNUP_CHALLENGE = "always"
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, locale="ko-KR")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/signup/")
    fill_account(page, username="nojs", email="nojs@example.com")
    submit(page)
    assert page.url.endswith("/signup/account/")
    assert "JavaScript를 켜거나" in page.locator("[data-challenge-refusal]").inner_text()
    assert page.input_value("#id_account-username") == "nojs"
    assert page.input_value("#id_account-email") == "nojs@example.com"
    assert not User.objects.exists()
    # axe runs as a script: the refused page as served, in a browser that runs it (the check itself kept still).
    refused = page.content().replace('data-challenge=""', 'data-challenge-served=""')
    context.close()
    viewer = page_in("ko")
    viewer.route("**/signup/account/", lambda route: route.fulfill(body=refused, content_type="text/html"))
    viewer.goto("/signup/account/")
    assert viewer.locator("[data-challenge-refusal]").is_visible()
    assert_no_axe_violations(viewer)
