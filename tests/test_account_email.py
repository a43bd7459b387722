"""Changing the account's email address: the link to the new address, the notice to the old, every bad link."""

from datetime import timedelta
from urllib.parse import urlparse

import pytest
import time_machine
from django.core import signing
from django.utils import timezone

from onboarding import links
from onboarding.models import User
from tests.mailserver import link_in, text_of

pytestmark = pytest.mark.django_db

NEW = "minji.new@example.com"


def ask(client, email=NEW):
    return client.post("/account/email/", {"email": email})


def path_of(url):
    return urlparse(url).path


def link_from(messages, to):
    [message] = [message for message in messages if message.to == [to]]
    return path_of(link_in(message.body, "/account/email/confirm/"))


def test_asking_needs_a_new_free_address(make_user, client, person, sent_mail):
    assert 'name="current_password"' not in client.get("/account/email/").content.decode()  # confirm it's you asked
    page = ask(client, email="TAKEN@example.com").content.decode()
    assert "That is already your email address." in page
    make_user("other", password=None, real_name="Other")
    page = ask(client, email="Other@Example.com").content.decode()
    assert "Another account uses that email address." in page
    page = ask(client, email="not an address").content.decode()
    assert "Enter an email address in the right format" in page
    assert sent_mail() == []


def test_the_link_confirms_the_new_address_and_the_old_one_is_told(client, person, sent_mail):
    response = ask(client)
    assert response["Location"] == "/account/"
    page = client.get("/account/").content.decode()
    assert f"We sent a link to {NEW}." in page and "taken@example.com" in page
    person.refresh_from_db()
    assert person.email == "taken@example.com"  # the old address stays in force until the link is opened

    messages = sent_mail()
    link = link_from(messages, NEW)
    assert client.get(link).status_code == 200  # a page with a button: opening the link changes nothing
    person.refresh_from_db()
    assert person.email == "taken@example.com"

    page = client.post(link).content.decode()
    assert f"Your account's email address is now {NEW}." in page
    person.refresh_from_db()
    assert person.email == NEW and person.email_verified_at is not None

    notice = [message for message in sent_mail() if message.to == ["taken@example.com"]]
    assert len(notice) == 1 and NEW in notice[0].body
    assert "/account/email/confirm/" not in notice[0].body

    # Opened twice: it says so, and nothing more is sent.
    assert "This link was used already" in client.get(link).content.decode()
    assert "This link was used already" in client.post(link).content.decode()
    assert len(sent_mail()) == 2


def test_the_link_works_in_another_browser_without_a_login(client, person, sent_mail):
    ask(client)
    link = link_from(sent_mail(), NEW)
    client.logout()
    assert client.post(link).status_code == 200
    assert User.objects.get(pk=person.pk).email == NEW


def test_an_expired_forged_or_superseded_link_gets_our_page(client, person, sent_mail):
    ask(client)
    link = link_from(sent_mail(), NEW)
    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=1)):
        response = client.get(link)
    assert response.status_code == 400 and "This link has expired" in response.content.decode()

    response = client.get(link[:-3] + "abc/")
    assert response.status_code == 400 and "This link does not work" in response.content.decode()

    # A second request for another address: the first link still names the address the account has,
    # so it works until the account moves; once moved, the other link is for an old request.
    ask(client, email="third@example.com")
    other = link_from(sent_mail(), "third@example.com")
    client.post(other)
    response = client.post(link)
    assert response.status_code == 400 and "This link is for an old request" in response.content.decode()
    assert User.objects.get(pk=person.pk).email == "third@example.com"


def test_an_address_taken_meanwhile_or_a_deleted_account_gets_our_page(make_user, client, person, sent_mail):
    ask(client)
    link = link_from(sent_mail(), NEW)
    make_user("quick", NEW.upper(), password=None, real_name="Quick")
    response = client.post(link)
    assert response.status_code == 400 and "That email address is in use" in response.content.decode()
    assert User.objects.get(pk=person.pk).email == "taken@example.com"

    User.objects.filter(pk=person.pk).delete()
    response = client.get(link)
    assert response.status_code == 404 and "We could not find that account" in response.content.decode()


def test_a_token_for_another_purpose_is_refused(client, person):
    token = links.confirm_email_token(person)  # an email-confirmation link is not an email-change link
    response = client.get(f"/account/email/confirm/{token}/")
    assert response.status_code == 400
    forged = signing.dumps([person.pk, person.email, "evil@example.com"], salt="something else")
    assert client.get(f"/account/email/confirm/{forged}/").status_code == 400


def test_in_mandatory_mode_a_taken_address_is_not_revealed_and_its_owner_is_told(
    make_user, client, person, sent_mail, settings
):
    settings.SIGNUP_EMAIL_VERIFICATION = "mandatory"
    make_user("other", password=None, real_name="Other")
    response = ask(client, email="other@example.com")
    assert response["Location"] == "/account/"
    assert "We sent a link to other@example.com." in client.get("/account/").content.decode()
    [message] = sent_mail()
    assert message.to == ["other@example.com"]
    assert "/account/email/confirm/" not in message.body and "nothing was changed" in message.body


def test_through_a_real_smtp_server(client, person, smtp_server, sent_mail):
    ask(client)
    sent_mail()
    [message] = smtp_server.inbox.to(NEW)
    client.post(path_of(link_in(text_of(message), "/account/email/confirm/")))
    sent_mail()
    assert User.objects.get(pk=person.pk).email == NEW
    [notice] = smtp_server.inbox.to("taken@example.com")
    assert NEW in text_of(notice)


def test_the_account_page_sends_the_confirmation_again_until_the_address_is_confirmed(client, person, sent_mail):
    page = client.get("/account/").content.decode()
    assert "Not confirmed yet" in page and "Send the confirmation again" in page
    response = client.post("/email/confirm-again/", {"next": "/account/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/account/"
    assert "We sent the email again." in response.content.decode()
    [message] = sent_mail()
    assert message.to == ["taken@example.com"]
    client.get(path_of(link_in(message.body, "/email/confirm/")))
    client.post(path_of(link_in(message.body, "/email/confirm/")))
    page = client.get("/account/").content.decode()
    assert "Confirmed" in page and "Send the confirmation again" not in page
