"""A reviewer clears the queue with "Approve and open next" in a real Chromium; the new admin pages pass axe."""

import pytest
from django.contrib.auth.hashers import make_password
from playwright.sync_api import expect

from onboarding.models import ReviewStatus, User
from onboarding.signup.accounts import create_account
from tests.browser.conftest import assert_fits_width, assert_no_axe_violations
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def queue(live_server):
    User.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    password_hash = make_password(PASSWORD)
    for username, real_name in [
        ("ahn.jihoon.with.a.rather.long.username", "안지훈"),
        ("bora", "Bora Kang-Whitfield"),
        ("cho", "Cho Minseo"),
    ]:
        create_account(
            username=username,
            email=f"{username}@a-long-company-domain.example.com",
            password_hash=password_hash,
            real_name=real_name,
        )


def log_in(page):
    page.goto("/admin/")
    page.locator("#id_username").fill("boss")  # by id: the labels are in the page's language
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_selector("#user-tools")


def test_a_reviewer_clears_three_pending_signups_with_approve_and_open_next(page_in, queue):
    page = page_in("en", viewport=DESKTOP)
    log_in(page)
    expect(page.locator("#site-name")).to_have_text("Maru administration")
    page.locator("#header").get_by_role("link", name="3 signups await review").click()
    page.wait_for_url("**/admin/onboarding/user/?profile__review_status__exact=pending")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)
    # Every column a reviewer needs is on screen at 1280 px, Review status and Active included.
    assert_fits_width(page)
    for heading in ("Review status", "Active"):
        box = page.locator("#result_list thead th", has_text=heading).bounding_box()
        assert box["x"] + box["width"] <= DESKTOP["width"], heading

    rows.first.get_by_role("link").first.click()
    for _ in range(3):
        expect(page.get_by_role("button", name="Approve and open next")).to_be_visible()
        page.get_by_role("button", name="Approve and open next").click()
        expect(page.locator(".messagelist")).to_contain_text("Approved 1 signup.")

    expect(page.locator(".messagelist")).to_contain_text("No more signups await review.")
    assert "profile__review_status__exact=pending" in page.url  # back on the list, still filtered
    expect(page.locator("#result_list tbody tr")).to_have_count(0)
    expect(page.locator("#header")).to_contain_text("0 signups await review")
    assert set(User.objects.exclude(username="boss").values_list("profile__review_status", flat=True)) == {
        ReviewStatus.APPROVED
    }


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_queue_user_page_and_funnel_pass_axe(page_in, queue, language):
    page = page_in(language, viewport=DESKTOP)
    log_in(page)
    assert_no_axe_violations(page)  # the index, with the queue
    pending = User.objects.get(username="bora")
    page.goto(f"/admin/onboarding/user/{pending.pk}/change/")
    expect(page.locator(".review-next button")).to_have_count(2)
    assert_no_axe_violations(page)
    page.goto("/admin/onboarding/funnelday/?days=30")
    expect(page.locator("#per-day-chart rect")).to_have_count(30)
    assert_no_axe_violations(page)
    assert_fits_width(page)
