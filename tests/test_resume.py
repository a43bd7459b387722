"""Finishing a signup on another device: the "Email me a link to finish later" control, its link and its draft."""

import re
import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import Client

from onboarding import links
from onboarding.models import SignupDraft, User
from tests.conftest import ACCOUNT, PASSWORD, PROFILE, WIZARD_KEY, step_data
from tests.mailserver import html_of, link_in, text_of
from tests.servers import client_address

pytestmark = pytest.mark.django_db

FINISH_LATER = {"finish_later": "1"}


def resume_path(text):
    return re.search(r"https?://[^/\s]+(/signup/resume/[^\s\"<>]+/)", text).group(1)


def ask_for_link(client, step, **fields):
    return client.post(f"/signup/{step}/", {**step_data(step, **fields), **FINISH_LATER}, follow=True)


def test_profile_and_confirm_steps_offer_the_link_and_the_account_step_does_not(signup):
    client = signup(until="profile")
    assert "Email me a link to finish later" in client.get("/signup/profile/").content.decode()
    assert "Email me a link to finish later" not in client.get("/signup/account/").content.decode()


@pytest.mark.argon2
def test_the_link_carries_the_signup_to_a_fresh_browser_over_real_smtp(smtp_server, signup, sent_mail):
    phone = signup(until="profile")
    sent = ask_for_link(phone, "profile", real_name="Kim Minji", preferred_name="", phone="")
    page = sent.content.decode()
    assert sent.redirect_chain[-1][0] == "/signup/link-sent/"
    assert "We sent a link to <strong>minji@example.com</strong>" in page and "The link works for 7 days" in page
    draft = SignupDraft.objects.get()
    assert draft.email == "minji@example.com"
    # The database keeps the token's hash, never the token, the password or (since the second review) its
    # hash: whoever opens the link chooses the password.
    assert PASSWORD not in str(draft.data) and "argon2" not in str(draft.data)

    sent_mail()
    [message] = smtp_server.inbox.to("minji@example.com")
    assert message["Subject"].strip() == "Finish your signup to Maru"
    link = link_in(text_of(message), "/signup/resume/")
    assert f'href="{link}"' in html_of(message)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert draft.token_hash == links.resume_token_hash(token) and token not in str(draft.data)

    laptop = Client()
    opened = laptop.get(link.removeprefix("http://testserver"), follow=True)
    # The account step first: the password does not travel in a link, so it is chosen again here.
    assert opened.redirect_chain[-1][0] == "/signup/account/?return=confirm"
    text = opened.content.decode()
    assert "Welcome back. Your answers are filled in" in text and 'value="minji@example.com"' in text
    typed = laptop.post("/signup/account/?return=confirm", step_data("account", **ACCOUNT))
    assert typed["Location"] == "/signup/confirm/"  # the profile was answered on the phone
    assert 'value="Kim Minji"' in laptop.get("/signup/profile/").content.decode()
    finish = laptop.post("/signup/profile/", step_data("profile", **PROFILE))
    assert finish["Location"] == "/signup/confirm/"
    assert laptop.post("/signup/confirm/", step_data("confirm", accept_terms="on"))["Location"] == "/signup/done/"
    user = User.objects.get(username="minji")
    assert user.check_password(PASSWORD)
    assert user.email_verified_at is not None  # the link proved the address: no confirmation mail
    assert SESSION_KEY in laptop.session
    # The draft's row stays as a marker for the old copies, its answers gone.
    assert SignupDraft.objects.get().used_at is not None and SignupDraft.objects.get().data == {}
    sent_mail()
    assert [m["Subject"].strip() for m in smtp_server.inbox.messages] == ["Finish your signup to Maru"]

    # Used once: a second opening says so.
    used = Client().get(link.removeprefix("http://testserver"))
    assert used.status_code == 400 and "This link has already been used" in used.content.decode()


def test_from_the_confirm_step_the_link_lands_on_confirm_with_every_answer(signup, sent_mail):
    client = signup(until="confirm")
    ask_for_link(client, "confirm")
    path = resume_path(sent_mail()[-1].body)
    other = Client()
    page = other.get(path, follow=True)
    assert page.redirect_chain[-1][0] == "/signup/account/?return=confirm"
    page = other.post("/signup/account/?return=confirm", step_data("account", **ACCOUNT), follow=True)
    assert page.redirect_chain[-1][0] == "/signup/confirm/"
    for answer in (ACCOUNT["username"], ACCOUNT["email"], PROFILE["real_name"], PROFILE["phone"]):
        assert answer in page.content.decode()


def test_a_newer_link_replaces_the_older_one(signup, sent_mail):
    client = signup(until="confirm")
    ask_for_link(client, "confirm")
    first = resume_path(sent_mail()[-1].body)
    ask_for_link(client, "confirm")
    second = resume_path(sent_mail()[-1].body)
    assert SignupDraft.objects.count() == 1
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 302


def test_an_expired_link_says_so_and_the_cleanup_command_removes_it(signup, sent_mail, capsys):
    client = signup(until="confirm")
    ask_for_link(client, "confirm")
    path = resume_path(sent_mail()[-1].body)
    with time_machine.travel(timedelta(days=7, minutes=1)):
        page = Client().get(path)
        assert page.status_code == 400 and "Links to finish a signup work for 7 days." in page.content.decode()
        call_command("clear_signup_drafts")
    assert "Deleted 1 expired signup draft(s)." in capsys.readouterr().out
    assert not SignupDraft.objects.exists()


def test_a_forged_link_gets_our_page_in_korean_too():
    client = Client()
    assert client.get("/signup/resume/not-a-real-token/").status_code == 404
    client.cookies["django_language"] = "ko"
    assert "이 링크는 더 이상 쓸 수 없습니다" in client.get("/signup/resume/not-a-real-token/").content.decode()


def test_the_typed_answers_on_the_step_are_kept_even_if_not_valid_yet(signup, sent_mail):
    client = signup(until="profile")
    ask_for_link(client, "profile", real_name="", preferred_name="Minji", phone="")
    path = resume_path(sent_mail()[-1].body)
    other = Client()
    other.get(path)
    page = other.post("/signup/account/?return=confirm", step_data("account", **ACCOUNT), follow=True)
    assert page.redirect_chain[-1][0] == "/signup/profile/" and 'value="Minji"' in page.content.decode()


def test_a_changed_address_after_the_link_is_not_taken_as_confirmed(signup, sent_mail):
    client = signup(until="confirm")
    ask_for_link(client, "confirm")
    other = Client()
    other.get(resume_path(sent_mail()[-1].body))
    other.post(
        "/signup/account/?return=confirm",
        # A new address: the password is typed again (it is checked against the new address).
        step_data("account", username="minji", email="other@example.com", password1=PASSWORD, password2=PASSWORD),
    )
    other.post("/signup/confirm/", step_data("confirm", accept_terms="on"))
    user = User.objects.get(username="minji")
    assert user.email == "other@example.com" and user.email_verified_at is None
    assert sent_mail()[-1].subject == "Confirm your email address for Maru"


def test_asking_is_rate_limited_per_address(settings, signup, sent_mail):
    settings.EMAIL_RATE_LIMIT_PER_ADDRESS = "1/h"
    email = f"minji-{uuid.uuid4().hex[:8]}@example.com"
    client = signup(until="confirm", account={**ACCOUNT, "email": email})
    client.defaults["REMOTE_ADDR"] = client_address(3600)
    assert ask_for_link(client, "confirm").redirect_chain[-1][0] == "/signup/link-sent/"
    limited = ask_for_link(client, "confirm")
    assert limited.redirect_chain[-1][0] == "/signup/confirm/"
    assert "Wait a few minutes before asking for another one." in limited.content.decode()
    assert len(sent_mail()) == 1


def test_the_wizard_in_the_session_holds_no_password(signup, sent_mail):
    client = signup(until="confirm")
    ask_for_link(client, "confirm")
    other = Client()
    other.get(resume_path(sent_mail()[-1].body))
    assert PASSWORD not in str(other.session[WIZARD_KEY])


def test_the_link_sent_page_and_the_mail_name_the_browsers_zone(client, smtp_server, sent_mail):
    """The hidden field site.js fills carries the zone; times are shown in it, named, the Korean way (오전 8:32)."""
    korean = {"accept-language": "ko"}
    client.get("/signup/", headers=korean)
    zone = {"time_zone": "America/New_York"}  # what site.js puts in the hidden field
    client.post("/signup/account/", {**step_data("account", **ACCOUNT), **zone}, headers=korean)
    client.post("/signup/profile/", {**step_data("profile", **PROFILE), **FINISH_LATER}, headers=korean)
    page = client.get("/signup/link-sent/", headers=korean).content.decode()
    local = SignupDraft.objects.get().expires_at.astimezone(ZoneInfo("America/New_York"))
    shown = f"{'오전' if local.hour < 12 else '오후'} {local.hour % 12 or 12}:{local:%M} (America/New_York)"
    assert shown in page and "(UTC)" not in page
    sent_mail()
    [message] = smtp_server.inbox.to("minji@example.com")
    assert shown in text_of(message)


def test_korean_pages_default_to_korea_time(client):
    korean = {"accept-language": "ko"}
    client.get("/signup/", headers=korean)
    client.post("/signup/account/", step_data("account", **ACCOUNT), headers=korean)  # no zone from the browser
    client.post("/signup/profile/", {**step_data("profile", **PROFILE), **FINISH_LATER}, headers=korean)
    assert "(Asia/Seoul)" in client.get("/signup/link-sent/", headers=korean).content.decode()


def test_a_zone_the_server_does_not_know_is_ignored(client):
    client.get("/signup/")
    client.post("/signup/account/", {**step_data("account", **ACCOUNT), "time_zone": "Mars/Olympus_Mons"})
    client.post("/signup/profile/", {**step_data("profile", **PROFILE), **FINISH_LATER})
    assert "(UTC)" in client.get("/signup/link-sent/").content.decode()
