"""The signup's domain rules (throwaway, blocked, allowed) also hold when a person changes their address."""

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def ask(client, email):
    return client.post("/account/email/", {"email": email, "current_password": PASSWORD})


def test_a_throwaway_address_is_refused_with_the_reason(client, person, sent_mail):
    response = ask(client, "minji@mailinator.com")
    assert response.status_code == 200
    assert "Addresses at mailinator.com are throwaway addresses" in response.content.decode()
    assert sent_mail() == []


def test_blocked_and_not_allowed_domains_are_refused(client, person, sent_mail, settings):
    settings.SIGNUP_BLOCKED_DOMAINS = ["blocked.example"]
    assert "Addresses at blocked.example cannot be used here." in ask(client, "minji@blocked.example").content.decode()
    settings.SIGNUP_BLOCKED_DOMAINS = []
    settings.SIGNUP_ALLOWED_DOMAINS = ["example.edu"]
    page = ask(client, "minji@example.org").content.decode()
    assert "Only addresses at example.edu can be used here." in page
    assert sent_mail() == []
    # An allowed address (a subdomain too) goes on to the link as usual.
    response = ask(client, "minji@cs.example.edu")
    assert response.status_code == 302
    assert [message.to for message in sent_mail()] == [["minji@cs.example.edu"]]


def test_in_korean_the_reason_is_korean(client, person, sent_mail):
    page = client.post(
        "/account/email/",
        {"email": "minji@mailinator.com", "current_password": PASSWORD},
        headers={"Accept-Language": "ko"},
    ).content.decode()
    assert "mailinator.com" in page and "throwaway" not in page
