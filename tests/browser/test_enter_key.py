"""Enter in any field of a wizard step goes to the next step, in either language (finding 11: the header's
language buttons belong to the step's form and come first, so Enter used to switch the language)."""

import pytest
from playwright.sync_api import expect

from onboarding.models import User
from tests.browser.conftest import fill_account, fill_profile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def press_enter_in(page, selector):
    with page.expect_navigation():
        page.press(selector, "Enter")


@pytest.mark.parametrize("language", ["en", "ko"])
def test_enter_in_any_field_goes_to_the_next_step_and_keeps_the_language(page_in, language):
    page = page_in(language)
    page.goto("/signup/")
    html_lang = page.locator("html")
    expect(html_lang).to_have_attribute("lang", language)

    fill_account(page)
    press_enter_in(page, "#id_account-password2")
    page.wait_for_url("**/signup/profile/")
    expect(html_lang).to_have_attribute("lang", language)

    fill_profile(page)
    press_enter_in(page, "#id_profile-real_name")
    page.wait_for_url("**/signup/confirm/")
    expect(html_lang).to_have_attribute("lang", language)

    page.check("#id_confirm-accept_terms")
    press_enter_in(page, "#id_confirm-accept_terms")
    page.wait_for_url("**/signup/done/")
    expect(html_lang).to_have_attribute("lang", language)
    assert User.objects.get().username == "minji"


@pytest.mark.parametrize("field", ["#id_account-username", "#id_account-email", "#id_account-password1"])
def test_enter_in_an_unfinished_step_shows_its_errors_not_another_language(page_in, field):
    page = page_in("en")
    page.goto("/signup/")
    page.fill("#id_account-username", "minji")
    press_enter_in(page, field)
    page.wait_for_url("**/signup/account/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#id_account-username")).to_have_value("minji")


def test_the_default_button_is_not_a_second_control_people_meet(page_in):
    page = page_in("en")
    page.goto("/signup/")
    expect(page.get_by_role("button", name="Next")).to_have_count(1)
    expect(page.get_by_role("button", name="한국어")).to_have_count(1)
