"""Confirm it's you (onboarding/account/reauth.py): a login counts for 5 minutes; after that the page asks
for the password once, then goes back to the page that asked, and never to another site."""

import time

import pytest
from django.urls import reverse

from onboarding.account import reauth
from onboarding.session_keys import CONFIRMED_AT_KEY
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
CONFIRM = reverse("onboarding:confirm_its_you")


def lapse(client):
    session = client.session
    session[CONFIRMED_AT_KEY] = time.time() - reauth.CONFIRM_SECONDS - 1
    session.save()


def test_a_fresh_login_counts_as_confirmed(client, person):
    assert time.time() - client.session[CONFIRMED_AT_KEY] < 5


def test_the_password_confirms_and_goes_back_where_it_was_asked(client, person):
    lapse(client)
    page = client.get(CONFIRM, {"next": "/account/password/"})
    assert "Confirm it&#x27;s you" in page.text and 'autocomplete="current-password"' in page.text
    wrong = client.post(f"{CONFIRM}?next=/account/password/", {"current_password": "not it"})
    assert wrong.status_code == 200 and "That is not your current password" in wrong.text
    assert time.time() - client.session[CONFIRMED_AT_KEY] > reauth.CONFIRM_SECONDS
    right = client.post(f"{CONFIRM}?next=/account/password/", {"current_password": PASSWORD})
    assert right.status_code == 302 and right["Location"] == "/account/password/"
    assert time.time() - client.session[CONFIRMED_AT_KEY] < 5


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", ""])
def test_it_never_sends_the_person_to_another_site(client, person, next_url):
    lapse(client)
    right = client.post(f"{CONFIRM}?next={next_url}", {"current_password": PASSWORD})
    assert right["Location"] == reverse("onboarding:account")


def test_the_page_is_for_logged_in_people_only(client):
    assert client.get(CONFIRM)["Location"].startswith(reverse("login"))
