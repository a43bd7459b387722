"""Confirming the email address: the mail after "Create account", its link, sending it again, and mandatory mode."""

import re
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django_tasks_db.models import DBTaskResult

from onboarding import links
from onboarding.models import ReservedUsername, User
from tests.conftest import ACCOUNT, PASSWORD, PROFILE, step_data, walk_wizard
from tests.hashers import CountingArgon2PasswordHasher
from tests.mailserver import html_of, link_in, text_of
from tests.servers import client_address

pytestmark = pytest.mark.django_db


def confirm_path(message_text):
    return re.search(r"https?://[^/\s]+(/email/confirm/[^\s\"<>]+)", message_text).group(1)


def test_create_account_mails_a_link_that_confirms_the_address_over_real_smtp(smtp_server, signup, client, sent_mail):
    signup(until="done")
    user = User.objects.get(username="minji")
    assert user.email_verified_at is None
    done = client.get("/signup/done/").content.decode()
    assert "We sent an email to <strong>minji@example.com</strong>" in done and "Send it again" in done

    sent_mail()
    [message] = smtp_server.inbox.to("minji@example.com")
    assert message["Subject"].strip() == "Confirm your email address for Maru"
    link = link_in(text_of(message), "/email/confirm/")
    assert f'href="{link}"' in html_of(message)
    assert PASSWORD not in text_of(message) and PASSWORD not in html_of(message)

    # Opened in another browser, as from a phone's mail app.
    phone = Client()
    page = phone.get(link.removeprefix("http://testserver"))
    assert page.status_code == 200 and "Confirm that <strong>minji@example.com</strong> is your email address." in (
        page.content.decode()
    )
    user.refresh_from_db()
    assert user.email_verified_at is None  # a GET (a mail scanner's prefetch) confirms nothing
    confirmed = phone.post(link.removeprefix("http://testserver"), follow=True)
    assert "Your email address is confirmed" in confirmed.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is not None

    # The done page in the first browser now says so, and no longer offers to send the mail again.
    done = client.get("/signup/done/").content.decode()
    assert "Your email address is confirmed" in done and "Send it again" not in done

    again = phone.get(link.removeprefix("http://testserver"))
    assert again.status_code == 200 and "Your email address is already confirmed" in again.content.decode()
    first = user.email_verified_at
    phone.post(link.removeprefix("http://testserver"))
    user.refresh_from_db()
    assert user.email_verified_at == first


def test_the_mail_is_in_the_language_the_person_signed_up_in(signup, client, sent_mail):
    client.cookies["django_language"] = "ko"
    signup(until="done")
    assert User.objects.get(username="minji").profile.language == "ko"
    [message] = sent_mail()
    assert message.subject == "[Maru] 이메일 인증"
    assert "링크는 3일 동안 사용할 수 있습니다." in message.body


def test_send_it_again_queues_a_new_mail_and_is_rate_limited(settings, signup, sent_mail):
    settings.EMAIL_RATE_LIMIT_PER_ADDRESS = "2/h"
    email = f"minji-{uuid.uuid4().hex[:8]}@example.com"  # a counter of its own
    client = signup(until="done", account={**ACCOUNT, "email": email})
    client.defaults["REMOTE_ADDR"] = client_address(3600)
    for _ in range(2):
        response = client.post("/email/confirm-again/", {"next": "/signup/done/"}, follow=True)
        assert response.redirect_chain[-1][0] == "/signup/done/"
        assert "We sent the email again." in response.content.decode()
    limited = client.post("/email/confirm-again/", {"next": "/signup/done/"}, follow=True)
    assert "Wait a few minutes before asking for another one." in limited.content.decode()
    assert [message.subject for message in sent_mail()] == ["Confirm your email address for Maru"] * 3


def test_send_it_again_goes_nowhere_but_our_own_pages(signup):
    client = signup(until="done")
    response = client.post("/email/confirm-again/", {"next": "https://evil.example/"})
    assert response["Location"] == "/email/confirm-again/sent/"


def test_an_expired_link_says_so_and_offers_a_new_one(signup, sent_mail):
    signup(until="done")
    [message] = sent_mail()
    path = confirm_path(message.body)
    stranger = Client()
    with time_machine.travel(timedelta(days=3, minutes=1)):
        page = stranger.get(path)
        assert page.status_code == 400
        text = page.content.decode()
        assert "This link has expired" in text and "Send it again" in text
        # The button sends the page's own form: it lands on the "sent" page, not back on "expired".
        resend_form = text.split('action="/email/confirm-again/"')[1].split("</form>")[0]
        next_url = re.search(r'name="next" value="([^"]*)"', resend_form).group(1)
        landed = stranger.post("/email/confirm-again/", {"next": next_url}, follow=True)
        assert landed.redirect_chain == [("/email/confirm-again/sent/", 302)]
        assert "Check your email" in landed.content.decode() and "This link has expired" not in landed.content.decode()
    [again] = sent_mail()[1:]
    assert stranger.post(confirm_path(again.body)).status_code == 302
    assert User.objects.get(username="minji").email_verified_at is not None


@pytest.mark.parametrize(
    "change, status, says",
    [
        (lambda token: token[:-3] + "abc", 400, "This link does not work"),
        (lambda token: "not-a-token", 400, "This link does not work"),
    ],
)
def test_a_forged_or_cut_link_gets_our_page(signup, sent_mail, change, status, says):
    signup(until="done")
    token = confirm_path(sent_mail()[0].body).split("/")[3]
    page = Client().get(f"/email/confirm/{change(token)}/")
    assert page.status_code == status and says in page.content.decode()
    assert User.objects.get(username="minji").email_verified_at is None


def test_a_link_for_a_deleted_account_or_a_changed_address_gets_our_page(signup):
    signup(until="done")
    user = User.objects.get(username="minji")
    path = f"/email/confirm/{links.confirm_email_token(user)}/"
    User.objects.filter(pk=user.pk).update(email="other@example.com")
    page = Client().get(path)
    assert page.status_code == 400 and "This link is out of date" in page.content.decode()
    user.delete()
    page = Client().get(path)
    assert page.status_code == 404 and "We could not find that account" in page.content.decode()


def test_korean_link_pages(signup):
    signup(until="done")
    client = Client()
    client.cookies["django_language"] = "ko"
    page = client.get("/email/confirm/nonsense/")
    assert page.status_code == 400 and "이 링크는 사용할 수 없습니다" in page.content.decode()


# SIGNUP_EMAIL_VERIFICATION=mandatory ---------------------------------------------------


@pytest.fixture
def mandatory(settings):
    settings.SIGNUP_EMAIL_VERIFICATION = "mandatory"


def test_mandatory_keeps_the_new_account_logged_out_until_confirmed(mandatory, signup, client, sent_mail):
    signup(until="done")
    assert SESSION_KEY not in client.session
    done = client.get("/signup/done/").content.decode()
    assert "Check your inbox: you can log in once you have confirmed your email address." in done
    for detail in (ACCOUNT["username"], PROFILE["real_name"], ACCOUNT["email"]):
        assert detail in done

    login = client.post("/login/", {"username": "minji", "password": PASSWORD})
    text = login.content.decode()
    assert login.status_code == 200 and "Confirm your email address first" in text and "Send it again" in text
    assert SESSION_KEY not in client.session
    wrong = Client().post("/login/", {"username": "minji", "password": "wrong password 1"}).content.decode()
    assert "Confirm your email address first" not in wrong  # only the password's owner learns this

    resent = client.post("/email/confirm-again/", {"next": "/login/"}, follow=True)
    assert "We sent the email again." in resent.content.decode()
    first, second = sent_mail()
    client.post(confirm_path(second.body))
    assert client.post("/login/", {"username": "minji", "password": PASSWORD}).status_code == 302
    assert SESSION_KEY in client.session


def walk(client, username, email):
    walk_wizard(client, account={**ACCOUNT, "username": username, "email": email})
    CountingArgon2PasswordHasher.reset()
    queued = DBTaskResult.objects.count()
    response = client.post("/signup/confirm/", step_data("confirm", accept_terms="on"))
    # The work "Create account" did, where timing could tell the two cases apart: hashes and mails queued.
    return response, (CountingArgon2PasswordHasher.work(), DBTaskResult.objects.count() - queued)


def without_tokens(page):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


@pytest.mark.argon2
def test_mandatory_a_taken_address_looks_like_a_new_signup_and_mails_its_owner(mandatory, sent_mail, settings):
    settings.PASSWORD_HASHERS = ["tests.hashers.CountingArgon2PasswordHasher"]
    owner, newcomer, stranger = Client(), Client(), Client()
    walk(owner, "minji", "minji@example.com")
    delivered = len(sent_mail())
    before = User.objects.count()

    # The account step accepts the address; nothing says it is registered.
    stranger.get("/signup/")
    account = stranger.post(
        "/signup/account/", step_data("account", **{**ACCOUNT, "username": "hana", "email": "MINJI@example.com"})
    )
    assert account.status_code == 302
    taken, taken_work = walk(stranger, "hana", "MINJI@example.com")
    fresh, fresh_work = walk(newcomer, "hana2", "hana2@example.com")
    assert User.objects.count() == before + 1  # only the newcomer's
    assert taken.status_code == fresh.status_code == 302 and taken["Location"] == fresh["Location"]

    # The same page, bar the name and address each typed.
    taken_page = without_tokens(stranger.get("/signup/done/").content.decode())
    fresh_page = without_tokens(newcomer.get("/signup/done/").content.decode())
    assert taken_page.replace("hana2", "hana").replace("hana@example.com", "MINJI@example.com") == (
        fresh_page.replace("hana2", "hana").replace("hana@example.com", "MINJI@example.com")
    )
    # A repeated "Create account" lands alike too.
    again_taken = stranger.post("/signup/confirm/", {**step_data("confirm", accept_terms="on")})
    again_fresh = newcomer.post("/signup/confirm/", {**step_data("confirm", accept_terms="on")})
    assert again_taken.status_code == again_fresh.status_code
    assert again_taken.get("Location") == again_fresh.get("Location")

    outbox = sent_mail()[delivered:]
    notice = [message for message in outbox if message.to == ["minji@example.com"]]
    assert [message.subject for message in notice] == ["Someone tried to sign up to Maru with your email address"]
    assert 'username "minji"' in notice[0].body
    assert "http://testserver/login/" in notice[0].body and "http://testserver/password-reset/" in notice[0].body
    assert "hana" not in notice[0].body
    # About as long: no password hashed and one mail queued either way (a clock would be a flaky judge here;
    # the benchmark measures time).
    assert taken_work == fresh_work == (0, 1)


def test_mandatory_send_it_again_after_a_taken_address_mails_the_owner_again(mandatory, sent_mail):
    walk(Client(), "minji", "minji@example.com")
    sent_mail()
    stranger = Client()
    walk(stranger, "hana", "minji@example.com")
    stranger.post("/email/confirm-again/", {"next": "/signup/done/"})
    subjects = [message.subject for message in sent_mail()[1:]]
    assert subjects == ["Someone tried to sign up to Maru with your email address"] * 2
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 3


@pytest.mark.argon2
@pytest.mark.parametrize("approval", [False, True])
def test_mandatory_a_reserved_username_logs_in_as_a_real_unconfirmed_account(mandatory, sent_mail, settings, approval):
    """Second review, finding 6: the username and password a prober chose with someone's address answer at
    login exactly as for an account made with a free address (the message, the page, "Send it again"),
    for one password hash either way."""
    settings.PASSWORD_HASHERS = ["tests.hashers.CountingArgon2PasswordHasher"]
    settings.SIGNUP_REQUIRES_APPROVAL = approval
    walk(Client(), "minji", "minji@example.com")
    walk(Client(), "hana", "MINJI@example.com")  # taken: no account, the username reserved
    walk(Client(), "hana2", "hana2@example.com")  # free: an account awaiting confirmation
    assert not User.objects.filter(username="hana").exists()
    sent_mail()
    delivered = len(sent_mail())

    def log_in(username, password):
        browser = Client()
        CountingArgon2PasswordHasher.reset()
        response = browser.post("/login/", {"username": username, "password": password})
        page = without_tokens(response.content.decode()).replace(username, "NAME")
        return browser, (response.status_code, page, CountingArgon2PasswordHasher.work())

    prober, reserved = log_in("hana", PASSWORD)
    owner_of_account, real = log_in("hana2", PASSWORD)
    assert reserved == real
    assert reserved[0] == 200 and reserved[2] == 1
    expected = "waiting for review" if approval else "Confirm your email address first"
    assert expected in reserved[1]
    assert ("Send it again" in reserved[1]) is (not approval)
    assert log_in("hana", "not the password")[1] == log_in("hana2", "not the password")[1]
    assert "is not right" in log_in("hana", "not the password")[1][1]
    # By the address typed at signup: an address not confirmed yet is no login name, so the free address's
    # new account answers as the registered address's owner does (for the prober: a wrong password).
    by_taken, by_free = log_in("MINJI@example.com", PASSWORD)[1], log_in("hana2@example.com", PASSWORD)[1]
    assert by_taken == by_free and by_taken[2] == 1 and "is not right" in by_taken[1]

    if not approval:
        # "Send it again": the same answer; the reserved name's goes to the address's owner as the notice.
        answers = [
            browser.post("/email/confirm-again/", {"next": "/login/"}, follow=True)
            for browser in (prober, owner_of_account)
        ]
        assert answers[0].redirect_chain == answers[1].redirect_chain
        pages = [without_tokens(answer.content.decode()) for answer in answers]
        assert pages[0] == pages[1] and "We sent the email again" in pages[0]
        outbox = sent_mail()[delivered:]
        assert sorted((m.to[0], m.subject) for m in outbox) == [
            ("hana2@example.com", "Confirm your email address for Maru"),
            ("minji@example.com", "Someone tried to sign up to Maru with your email address"),
        ]
    # Only the hash is kept, never the password.
    kept = ReservedUsername.objects.get()
    assert kept.password_hash.startswith("argon2") and PASSWORD not in kept.password_hash
