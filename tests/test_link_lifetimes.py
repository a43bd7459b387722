"""How long a link works is said from links.py's constants (and PASSWORD_RESET_TIMEOUT), in both languages."""

from datetime import timedelta

import pytest
from django.test import Client

from onboarding import links
from onboarding.models import User
from onboarding.verification.services import send_confirmation_email
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_day_links(monkeypatch):
    monkeypatch.setattr(links, "CONFIRM_EMAIL_MAX_AGE", timedelta(days=5))
    monkeypatch.setattr(links, "CHANGE_EMAIL_MAX_AGE", timedelta(days=5))
    monkeypatch.setattr(links, "RESUME_MAX_AGE", timedelta(days=5))


def test_the_confirmation_mail_says_the_constants_number_of_days_in_english_and_korean(five_day_links, sent_mail):
    user = User.objects.create_user("minji", "minji@example.com", PASSWORD)
    send_confirmation_email(user=user, confirm_url="https://example.com/x/", language="en")
    send_confirmation_email(user=user, confirm_url="https://example.com/x/", language="ko")
    english, korean = sent_mail()
    assert "The link works for 5 days." in english.body
    assert "링크는 5일 동안 사용할 수 있습니다." in korean.body


def test_one_day_is_said_in_the_singular(monkeypatch, sent_mail):
    monkeypatch.setattr(links, "CONFIRM_EMAIL_MAX_AGE", timedelta(days=1))
    user = User.objects.create_user("minji", "minji@example.com", PASSWORD)
    send_confirmation_email(user=user, confirm_url="https://example.com/x/", language="en")
    assert "The link works for 1 day." in sent_mail()[0].body


def test_the_change_email_mail_and_message_say_the_constants_number(five_day_links, sent_mail):
    user = User.objects.create_user("minji", "minji@example.com", PASSWORD)
    client = Client()
    client.force_login(user)
    response = client.post("/account/email/", {"email": "new@example.com", "current_password": PASSWORD}, follow=True)
    assert "Open it within 5 days to confirm the new address" in response.content.decode()
    [mail] = sent_mail()
    assert "The link works for 5 days." in mail.body


def test_pages_say_the_constants_number(five_day_links, settings):
    settings.PASSWORD_RESET_TIMEOUT = 2 * 60 * 60
    assert "The link works once, for 2 hours." in Client().get("/password-reset/sent/").content.decode()
    assert "Open it within 5 days" in Client().get("/email/confirm-again/sent/").content.decode()
    korean = Client()
    korean.cookies["django_language"] = "ko"
    assert "5일 안에" in korean.get("/email/confirm-again/sent/").content.decode()
    assert "‘나중에 마치기’ 링크로 보관한 내용은 5일" in korean.get("/privacy/").content.decode()
    assert "behind a “finish later” link, 5 days." in Client().get("/privacy/").content.decode()
