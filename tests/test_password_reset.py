"""A forgotten password: ask by address, follow the mailed link once, choose a new password under signup's rules."""

import re
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client

from onboarding.models import User
from tests.conftest import PASSWORD
from tests.mailserver import link_in, text_of
from tests.servers import client_address

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "purple elephant dances 77"


@pytest.fixture
def minji(signup, sent_mail):
    signup(until="done")
    sent_mail()  # the confirmation mail from the signup
    return User.objects.get(username="minji")


def reset_path(text):
    return re.search(r"https?://[^/\s]+(/password-reset/[^\s\"<>]+/)", text).group(1)


def ask(client, email):
    return client.post("/password-reset/", {"email": email}, follow=True)


def test_the_login_page_links_to_the_reset_form(client):
    page = client.get("/login/").content.decode()
    assert '<a href="/password-reset/">Forgot your password?</a>' in page
    form = client.get("/password-reset/").content.decode()
    assert 'name="email"' in form and "Email me a link" in form


def test_the_page_after_asking_is_the_same_for_a_known_and_an_unknown_address(minji, sent_mail):
    known, unknown = ask(Client(), "MINJI@example.com"), ask(Client(), "nobody@example.com")
    assert known.redirect_chain == unknown.redirect_chain == [("/password-reset/sent/", 302)]

    def strip(page):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page.content.decode())

    assert strip(known) == strip(unknown)
    assert "If an account uses that email address, we have sent it a link" in strip(known)
    reset_mail = [message for message in sent_mail() if "new password" in message.subject]
    assert [message.to for message in reset_mail] == [["minji@example.com"]]


@pytest.mark.argon2
def test_reset_over_real_smtp_sets_the_new_password_ends_other_sessions_and_confirms_the_address(
    minji, smtp_server, sent_mail
):
    elsewhere = Client()
    assert elsewhere.login(username="minji", password=PASSWORD)
    assert minji.email_verified_at is None

    browser = Client()
    ask(browser, "minji@example.com")
    sent_mail()
    [message] = smtp_server.inbox.to("minji@example.com")
    assert message["Subject"].strip() == "Set a new password for Maru"
    link = link_in(text_of(message), "/password-reset/")
    assert "minji" in text_of(message) and PASSWORD not in text_of(message)

    form = browser.get(link.removeprefix("http://testserver"), follow=True)
    page = form.content.decode()
    assert form.status_code == 200 and "Choose a new password for the account <strong>minji</strong>." in page
    # The rules are listed before anything is typed, as on the signup's account step.
    assert page.count('<li class="password-rule">') == 6 and "At least 15 characters." in page
    set_path = form.redirect_chain[-1][0]
    # Signup's rules: too short, too common and mismatched are refused, in our words.
    weak = browser.post(set_path, {"new_password1": "password", "new_password2": "password"}).content.decode()
    assert "Your password is 8 characters long. Make it at least 15 characters" in weak
    assert "Your password does not meet the rules marked under the password field." in weak
    assert weak.count('<li class="password-rule failed">') == 2  # too short; a common password
    mismatch = browser.post(set_path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"})
    assert "The two passwords do not match." in mismatch.content.decode()

    done = browser.post(set_path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True)
    assert "Your password has been changed" in done.content.decode()
    minji.refresh_from_db()
    assert minji.check_password(NEW_PASSWORD) and minji.password.startswith("argon2")
    assert minji.email_verified_at is not None

    # The other browser's session has ended.
    assert "Logged in as" not in elsewhere.get("/").content.decode()
    assert SESSION_KEY not in elsewhere.session

    # The link works once.
    used = Client().get(link.removeprefix("http://testserver"))
    assert used.status_code == 400 and "This link no longer works" in used.content.decode()
    assert Client().login(username="minji", password=NEW_PASSWORD)


def test_an_expired_forged_or_unknown_link_gets_our_page(minji, sent_mail):
    ask(Client(), "minji@example.com")
    path = reset_path(sent_mail()[-1].body)
    uid, token = path.split("/")[2:4]
    with time_machine.travel(timedelta(hours=3, minutes=1)):
        expired = Client().get(path)
    assert expired.status_code == 400 and "This link no longer works" in expired.content.decode()
    assert "Ask for a new link" in expired.content.decode()
    forged = Client().get(f"/password-reset/{uid}/{token[:-2]}xx/")
    assert forged.status_code == 400
    unknown = Client().get(f"/password-reset/OTk5OTk/{token}/")
    assert unknown.status_code == 404 and "We could not find that account" in unknown.content.decode()
    korean = Client()
    korean.cookies["django_language"] = "ko"
    assert "이 링크는 더 이상 쓸 수 없습니다" in korean.get(f"/password-reset/{uid}/{token[:-2]}xx/").content.decode()
    minji.refresh_from_db()
    assert minji.check_password(PASSWORD)


def test_asking_is_limited_per_client_with_our_429_page(settings, minji):
    settings.EMAIL_RATE_LIMIT_PER_CLIENT = "2/h"
    client = Client(REMOTE_ADDR=client_address(3600))
    for n in range(2):
        assert ask(client, f"someone{n}@example.com").status_code == 200
    refused = client.post("/password-reset/", {"email": "someone@example.com"})
    assert refused.status_code == 429


def test_asking_is_limited_per_address_without_telling_anyone(settings, signup, sent_mail):
    settings.EMAIL_RATE_LIMIT_PER_ADDRESS = "2/h"
    email = f"minji-{uuid.uuid4().hex[:8]}@example.com"
    signup(until="done", account={"username": "minji", "email": email, "password1": PASSWORD, "password2": PASSWORD})
    before = len(sent_mail())
    pages = [ask(Client(REMOTE_ADDR=client_address(3600)), email) for _ in range(3)]
    assert {page.redirect_chain[-1][0] for page in pages} == {"/password-reset/sent/"}
    assert len(sent_mail()) - before == 2


def test_a_bad_address_is_refused_on_our_form(client):
    page = client.post("/password-reset/", {"email": "not an address"})
    assert page.status_code == 200
    assert "Enter an email address in the right format, like name@example.com." in page.content.decode()


def test_choosing_the_new_password_is_limited_per_client_with_our_429_page(settings, minji, sent_mail):
    # It was the one path that ran the password rules (and, for a good password, the hash) without a limit:
    # a reset link held open let one client send new passwords at the speed of the server.
    settings.LOGIN_RATE_LIMIT = "3/h"
    ask(Client(), "minji@example.com")
    browser = Client(REMOTE_ADDR=client_address(3600))
    form = browser.get(reset_path(sent_mail()[-1].body), follow=True)
    set_password_url = form.redirect_chain[-1][0]
    mismatched = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"}
    statuses = [browser.post(set_password_url, mismatched).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    refused = browser.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert refused.status_code == 429
    minji.refresh_from_db()
    assert minji.check_password(PASSWORD)
