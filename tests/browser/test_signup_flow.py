"""A person signs up in a real Chromium: types, clicks, reads."""

import pytest
from django.contrib.auth.hashers import check_password

from onboarding.models import User
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_account(page, username="minji", email="minji@example.com", password=PASSWORD):
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Confirm password").fill(password)


def test_a_person_signs_up_from_the_landing_page(page):
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Account"

    fill_account(page)
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/signup/profile/")
    page.get_by_label("Full name").fill("Kim Minji")
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/signup/confirm/")

    assert "minji@example.com" in page.locator("main").inner_text()
    page.get_by_label("I accept the terms").check()
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/signup/done/")

    main = page.locator("main").inner_text()
    assert "Welcome, Kim Minji!" in main
    assert "minji" in main and "minji@example.com" in main
    assert "Logged in as minji" in page.locator("header").inner_text()

    user = User.objects.get(username="minji")
    assert check_password(PASSWORD, user.password)
    assert user.profile.real_name == "Kim Minji"
