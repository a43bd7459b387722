"""A reviewer works through new signups in the admin, in a real Chromium."""

import pytest
from django.contrib.auth.hashers import make_password
from playwright.sync_api import expect

from onboarding.models import ReviewStatus, User
from onboarding.signup.accounts import create_account
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queue(live_server):
    """A superuser, and a few pending signups for them to review."""
    User.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    password_hash = make_password(PASSWORD)
    for username, real_name, phone in [
        ("minji", "Kim Minji", "+82 10 1234 5678"),
        ("seojun", "Lee Seojun", ""),
        ("amelia", "Amelia Clarke", "+44 20 7946 0958"),
    ]:
        create_account(
            username=username,
            email=f"{username}@example.com",
            password_hash=password_hash,
            real_name=real_name,
            preferred_name=real_name.split()[-1],
            phone=phone,
        )


def test_a_superuser_finds_reads_and_approves_a_new_signup(page, queue):
    page.goto("/admin/")
    page.get_by_label("Username").fill("boss")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Users", exact=True).click()
    page.wait_for_url("**/admin/onboarding/user/")

    page.locator("#searchbar").fill("Kim Minji")
    page.get_by_role("button", name="Search").click()
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("minji@example.com")
    expect(rows.first).to_contain_text("Pending")

    page.get_by_role("link", name="minji", exact=True).click()
    expect(page.get_by_role("textbox", name="Full name")).to_have_value("Kim Minji")
    expect(page.get_by_role("textbox", name="Preferred name")).to_have_value("Minji")
    expect(page.get_by_role("textbox", name="Phone number")).to_have_value("+82 10 1234 5678")
    expect(page.locator("#profile-0 .field-review_status .readonly")).to_have_text("Pending")

    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_role("heading", name="Approve signups")).to_be_visible()
    expect(page.locator("#content")).to_contain_text("Are you sure you want to approve this user?")
    page.get_by_label("Note (optional)").fill("Checked the phone number.")
    page.get_by_role("button", name="Yes, approve").click()

    page.wait_for_url("**/admin/onboarding/user/?q=Kim+Minji")  # back to the list as it was searched
    expect(page.locator(".messagelist")).to_contain_text("Approved 1 signup.")
    minji_row = page.locator("#result_list tbody tr", has=page.get_by_role("link", name="minji", exact=True))
    expect(minji_row).to_contain_text("Approved")

    page.get_by_role("link", name="minji", exact=True).click()
    expect(page.locator("#profile-0 .field-review_status .readonly")).to_have_text("Approved")
    expect(page.locator("#profile-0 .field-reviewed_by .readonly")).to_have_text("boss")
    expect(page.locator("#profile-0 .field-review_note .readonly")).to_have_text("Checked the phone number.")
    expect(page.get_by_role("button", name="Approve", exact=True)).to_have_count(0)

    profile = User.objects.get(username="minji").profile
    assert profile.review_status == ReviewStatus.APPROVED
    assert profile.reviewed_by.username == "boss"
    assert User.objects.get(username="seojun").profile.review_status == ReviewStatus.PENDING


def test_reject_and_open_next_asks_first_with_a_note_and_the_mail_choice(page, queue):
    from tests.browser.conftest import assert_no_axe_violations

    page.goto("/admin/")
    page.get_by_label("Username").fill("boss")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    seojun = User.objects.get(username="seojun")
    page.goto(f"/admin/onboarding/user/{seojun.pk}/change/")
    reject = page.get_by_role("button", name="Reject and open next")
    approve = page.get_by_role("button", name="Approve and open next")
    # Reject looks like a danger action, not like Approve.
    assert reject.evaluate("e => getComputedStyle(e).backgroundColor") != approve.evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    reject.click()
    expect(page.get_by_role("heading", name="Reject signups")).to_be_visible()
    expect(page.locator("#content")).to_contain_text("Are you sure you want to reject this user?")
    assert User.objects.get(username="seojun").profile.review_status == ReviewStatus.PENDING
    assert_no_axe_violations(page)
    page.get_by_label("Note (optional)").fill("Duplicate of another account.")
    page.get_by_label("Email each person to say their signup was not approved").uncheck()
    page.get_by_role("button", name="Yes, reject").click()
    expect(page.locator(".messagelist")).to_contain_text("Rejected 1 signup.")
    expect(page.get_by_role("button", name="Reject and open next")).to_be_visible()  # the next pending signup
    profile = User.objects.get(username="seojun").profile
    assert profile.review_status == ReviewStatus.REJECTED and profile.review_note == "Duplicate of another account."
