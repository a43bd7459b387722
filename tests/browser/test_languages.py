"""English and Korean in a real Chromium: the browser's language is honoured, and switching keeps the signup."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import fill_account, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def switch_to(page, language_name):
    with page.expect_navigation():
        page.locator("header").get_by_role("button", name=language_name).click()


def test_the_browsers_language_chooses_korean_until_the_person_switches(page_in):
    page = page_in("ko")
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.get_by_role("heading", level=1)).to_have_text("Maru 가입하기")
    expect(page.locator("header").get_by_role("button", name="English")).to_have_attribute("lang", "en")

    switch_to(page, "English")
    assert page.url.endswith("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # The choice outlasts the page: the browser still asks for Korean, the site stays English.
    page.get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Account")


def test_switching_language_mid_signup_keeps_the_answers_and_the_step(page_in):
    page = page_in("en")
    page.goto("/signup/")
    fill_account(page)
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/signup/profile/")

    switch_to(page, "한국어")
    assert page.url.endswith("/signup/profile/")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page).to_have_title("프로필 – 3단계 중 2단계 – 회원가입 – Maru")
    expect(page.get_by_role("heading", level=1)).to_have_text("프로필")
    expect(page.get_by_text("3단계 중 2단계: 프로필", exact=True)).to_be_attached()
    expect(page.locator("[aria-current=step]")).to_contain_text("프로필")

    # Step 1's answers are still there, and the stored password is still accepted.
    page.get_by_role("button", name="이전").click()
    page.wait_for_url("**/signup/account/")
    expect(page.get_by_label("아이디")).to_have_value("minji")
    expect(page.get_by_label("이메일 주소")).to_have_value("minji@example.com")
    page.get_by_role("button", name="다음").click()
    page.wait_for_url("**/signup/profile/")
    page.get_by_role("textbox", name="이름", exact=True).fill("김민지")
    page.get_by_role("button", name="다음").click()
    page.wait_for_url("**/signup/confirm/")
    answers = page.locator("main").inner_text()
    assert "minji@example.com" in answers and "김민지" in answers
    expect(page.get_by_role("link", name="아이디 변경")).to_be_visible()

    switch_to(page, "English")
    assert page.url.endswith("/signup/confirm/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    expect(page.get_by_role("link", name="Change full name")).to_be_visible()
    page.get_by_label("I accept the terms of use").check()
    submit(page)
    assert page.url.endswith("/signup/done/")
    expect(page.locator("main")).to_contain_text("Welcome, 김민지!")


def test_korean_errors_come_with_korean_titles_and_korean_password_messages(page_in):
    page = page_in("ko")
    page.goto("/signup/account/")
    fill_account(page, password="password")
    submit(page)
    expect(page).to_have_title("오류: 계정 – 3단계 중 1단계 – 회원가입 – Maru")
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#error-summary")).to_contain_text("비밀번호 칸 아래에 표시된 조건")
    # The rule it failed, marked where it is listed, says what to do, and is read with the field.
    expect(page.locator(".password-rule.failed").first).to_contain_text(
        "비밀번호가 8자입니다. 15자 이상으로 만들어 주세요."
    )
    expect(page.get_by_label("비밀번호", exact=True)).to_have_accessible_description(
        re.compile(
            "미충족.*15자 이상으로 만들어 주세요.*오류: 비밀번호가 비밀번호 칸 아래에 표시된 조건을 충족하지 않습니다."
        )
    )


def test_switching_language_on_the_login_page_keeps_the_username_but_never_the_password(page_in):
    page = page_in("en")
    page.goto("/login/")
    page.get_by_label("Username").fill("minji")
    page.fill("#id_password", "a password never kept")
    page.get_by_role("button", name="Show password").click()  # a shown password is still a password

    switch_to(page, "한국어")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.get_by_label("아이디")).to_have_value("minji")
    expect(page.locator("#id_password")).to_have_value("")
    expect(page.locator("#id_password")).to_have_attribute("type", "password")
    # Kept for that one reload only: nothing is left in the tab's storage.
    assert page.evaluate("sessionStorage.length") == 0

    page.goto("/password-reset/")
    page.get_by_label("이메일 주소").fill("minji@example.com")
    switch_to(page, "English")
    expect(page.get_by_label("Email address")).to_have_value("minji@example.com")
