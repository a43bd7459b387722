"""The waitlist in a real Chromium, in English and Korean: join, the mail over real SMTP, confirm; axe on each page."""

import pytest

from onboarding.models import WaitlistEntry
from tests.browser.conftest import assert_fits_width, assert_no_axe_violations
from tests.mailserver import link_in, text_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "join": "Join the waitlist",
        "email": "Email address",
        "sent": "Check your email",
        "confirm": "Confirm my place",
        "done": "You are on the waitlist",
        "again": "Your place on the waitlist is already confirmed",
        "refused": "throwaway addresses",
    },
    "ko": {
        "join": "대기자 명단에 등록",
        "email": "이메일 주소",
        "sent": "이메일을 확인해 주세요",
        "confirm": "등록 인증하기",
        "done": "대기자 명단에 등록되었습니다",
        "again": "대기자 명단 등록이 이미 인증되었습니다",
        "refused": "일회용 주소",
    },
}


@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_person_joins_the_waitlist_and_confirms_it(page_in, smtp_server, sent_mail, settings, language):
    settings.SIGNUP_MODE = "waitlist"
    words = WORDS[language]
    page = page_in(language, viewport={"width": 320, "height": 640})
    page.goto("/signup/")
    assert page.get_by_role("heading", level=1).inner_text() == words["join"]
    assert_no_axe_violations(page)
    assert_fits_width(page)
    page.get_by_label(words["email"]).fill("someone@mailinator.com")
    page.get_by_role("button", name=words["join"]).click()
    assert words["refused"] in page.locator("main").inner_text()
    assert_no_axe_violations(page)  # the error state
    page.get_by_label(words["email"]).fill("minji@example.com")
    page.get_by_role("button", name=words["join"]).click()
    page.wait_for_url("**/signup/waitlist/sent/")
    assert page.get_by_role("heading", level=1).inner_text() == words["sent"]
    assert_no_axe_violations(page)

    sent_mail()
    [message] = smtp_server.inbox.to("minji@example.com")
    link = link_in(text_of(message), "/signup/waitlist/confirm/")
    person = page_in(language)
    person.goto(link)
    assert_no_axe_violations(person)
    person.get_by_role("button", name=words["confirm"]).click()
    assert person.get_by_role("heading", level=1).inner_text() == words["done"]
    assert_no_axe_violations(person)
    assert WaitlistEntry.objects.get().confirmed_at is not None
    person.goto(link)
    assert person.get_by_role("heading", level=1).inner_text() == words["again"]
    assert_no_axe_violations(person)
