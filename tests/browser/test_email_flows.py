"""Mail flows in a real Chromium with a real SMTP server: confirm the address, reset a password, finish elsewhere."""

import pytest

from onboarding.models import User
from tests.browser.conftest import (
    assert_fits_width,
    assert_no_axe_violations,
    fill_account,
    fill_profile,
    sign_up,
    submit,
)
from tests.conftest import PASSWORD
from tests.mailserver import link_in, text_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "purple elephant dances 77"


def read_link(smtp_server, sent_mail, address, path_start):
    """Let the worker send what is queued, then take the newest mail to `address` and its link."""
    sent_mail()
    message = smtp_server.inbox.to(address)[-1]
    return message, link_in(text_of(message), path_start)


def test_a_person_confirms_their_address_from_the_mail(page, smtp_server, sent_mail):
    sign_up(page)
    main = page.locator("main")
    assert "We sent an email to minji@example.com with a link to confirm your address." in main.inner_text()
    page.get_by_role("button", name="Send it again").click()
    page.wait_for_url("**/signup/done/")
    assert "We sent the email again." in main.inner_text()

    message, link = read_link(smtp_server, sent_mail, "minji@example.com", "/email/confirm/")
    assert len(smtp_server.inbox.to("minji@example.com")) == 2
    assert message["Subject"].strip() == "Confirm your email address for Maru"
    page.goto(link)
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Confirm my email address").click()
    page.wait_for_url("**/email/confirmed/")
    assert page.get_by_role("heading", level=1).inner_text() == "Your email address is confirmed"
    assert User.objects.get(username="minji").email_verified_at is not None

    page.goto(link)
    assert page.get_by_role("heading", level=1).inner_text() == "Your email address is already confirmed"
    response = page.goto(link[:-8] + "tampered/")
    assert response.status == 400 and page.get_by_role("heading", level=1).inner_text() == "This link does not work"
    assert_no_axe_violations(page)


def test_a_person_who_forgot_their_password_sets_a_new_one(page_in, smtp_server, sent_mail):
    signup_page = page_in("en")
    sign_up(signup_page)
    sent_mail()

    page = page_in("ko", viewport={"width": 375, "height": 800})
    page.goto("/login/")
    page.get_by_role("link", name="비밀번호 찾기").click()
    page.wait_for_url("**/password-reset/")
    assert_no_axe_violations(page)
    assert_fits_width(page)
    page.get_by_label("이메일 주소").fill("MINJI@example.com")
    page.get_by_role("button", name="링크를 이메일로 받기").click()
    page.wait_for_url("**/password-reset/sent/")
    assert page.get_by_role("heading", level=1).inner_text() == "이메일을 확인해 주세요"

    message, link = read_link(smtp_server, sent_mail, "minji@example.com", "/password-reset/")
    assert message["Subject"].strip() == "Set a new password for Maru"  # she signed up in English
    page.goto(link)
    page.wait_for_url("**/set-password/")
    assert_no_axe_violations(page)
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.get_by_role("button", name="새 비밀번호 저장").click()
    page.wait_for_url("**/password-reset/done/")
    assert page.get_by_role("heading", level=1).inner_text() == "비밀번호가 바뀌었습니다"

    # The browser she signed up in was logged in: that session has ended.
    signup_page.goto("/")
    assert "minji" not in signup_page.locator("header").inner_text()

    page.get_by_role("link", name="로그인").last.click()
    page.fill("#id_username", "minji")
    page.fill("#id_password", NEW_PASSWORD)
    page.locator("main").get_by_role("button", name="로그인", exact=True).click()
    page.wait_for_url("**/")
    assert "minji" in page.locator("header").inner_text()

    page.goto(link)
    assert page.get_by_role("heading", level=1).inner_text() == "이 링크는 더 이상 쓸 수 없습니다"


def test_a_signup_started_on_a_phone_is_finished_in_a_fresh_browser(page_in, smtp_server, sent_mail):
    phone = page_in("en", viewport={"width": 375, "height": 800})
    phone.goto("/signup/")
    fill_account(phone)
    submit(phone)
    fill_profile(phone, preferred_name="Minji")
    phone.get_by_role("button", name="Email me a link to finish later").click()
    phone.wait_for_url("**/signup/link-sent/")
    text = phone.locator("main").inner_text()
    assert "We sent a link to minji@example.com." in text and "The link works for 7 days" in text
    assert_no_axe_violations(phone)
    assert_fits_width(phone)

    message, link = read_link(smtp_server, sent_mail, "minji@example.com", "/signup/resume/")
    assert message["Subject"].strip() == "Finish your signup to Maru"

    laptop = page_in("en")  # a new browser context: no cookie, no session
    laptop.goto(link)
    # The password never travels in a link: the account step asks for it, the rest is filled in.
    laptop.wait_for_url("**/signup/account/?return=confirm")
    assert laptop.get_by_label("Email address").input_value() == "minji@example.com"
    laptop.fill("#id_account-password1", PASSWORD)
    laptop.fill("#id_account-password2", PASSWORD)
    submit(laptop)
    laptop.wait_for_url("**/signup/confirm/")  # the profile was answered on the phone
    summary = laptop.locator("main").inner_text()
    assert "Kim Minji" in summary and "Minji" in summary
    laptop.get_by_label("I accept the terms").check()
    laptop.get_by_role("button", name="Create account").click()
    laptop.wait_for_url("**/signup/done/")
    assert "Welcome, Minji!" in laptop.locator("main").inner_text()  # the preferred name
    user = User.objects.get(username="minji")
    assert user.check_password(PASSWORD) and user.email_verified_at is not None

    again = page_in("en")
    response = again.goto(link)
    assert response.status == 400
    assert again.get_by_role("heading", level=1).inner_text() == "This link has already been used"
    assert_no_axe_violations(again)
