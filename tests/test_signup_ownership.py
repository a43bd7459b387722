"""One signup, one owner (finding 1 of the second review): a "finish later" link moves the signup, once, and no
copy of a signup is ever logged in to the account another copy created, nor shown anything of it.
"""

import re
from importlib import import_module

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone

from onboarding.funnel import store
from onboarding.models import SignupDraft, User
from tests.conftest import ACCOUNT, PASSWORD, WIZARD_KEY, signup_state, step_data, walk_wizard
from tests.test_funnel import forget_funnel_counts
from tests.test_wizard_robustness import run_together

pytestmark = pytest.mark.django_db

VICTIM = {**ACCOUNT, "username": "victim", "email": "victim@example.com"}
VICTIM_PASSWORD = "the victim's own long passphrase 77"
VICTIM_PROFILE = {"real_name": "Victoria Sung", "preferred_name": "Vicky", "phone": ""}
ATTACKER_PROFILE = {"real_name": "Mallory Attacker", "preferred_name": "", "phone": ""}
CREATE = step_data("confirm", accept_terms="on")


def resume_path(mail):
    return re.search(r"https?://[^/\s]+(/signup/resume/[^\s\"<>]+/)", mail.body).group(1)


def ask_for_link(client):
    response = client.post("/signup/confirm/", {**step_data("confirm"), "finish_later": "1"})
    assert response["Location"] == "/signup/link-sent/", response.content.decode()


def finish_from_link(client, path, password=VICTIM_PASSWORD, profile=VICTIM_PROFILE):
    """Open the link, choose a password, correct the profile, press Create account."""
    assert client.get(path)["Location"] == "/signup/account/?return=confirm"
    account = {**VICTIM, "password1": password, "password2": password}
    assert client.post("/signup/account/?return=confirm", step_data("account", **account)).status_code == 302
    assert client.post("/signup/profile/?return=confirm", step_data("profile", **profile)).status_code == 302
    assert client.post("/signup/confirm/", CREATE)["Location"] == "/signup/done/"


def assert_learns_nothing(response):
    page = response.content.decode()
    for detail in ("victim@example.com", "Victoria Sung", "Vicky"):
        assert detail not in page


@pytest.mark.parametrize(
    "mode",
    [{}, {"SIGNUP_EMAIL_VERIFICATION": "mandatory", "SIGNUP_REQUIRES_APPROVAL": True}],
    ids=["optional", "mandatory with approval"],
)
def test_a_link_asked_for_with_a_victims_address_gives_the_asker_nothing(settings, mode, sent_mail):
    for name, value in mode.items():
        setattr(settings, name, value)
    attacker, victim = Client(), Client()
    walk_wizard(attacker, account=VICTIM, profile=ATTACKER_PROFILE)
    ask_for_link(attacker)
    [mail] = sent_mail()
    assert mail.to == ["victim@example.com"]

    finish_from_link(victim, resume_path(mail))
    user = User.objects.get(username="victim")
    assert user.profile.real_name == "Victoria Sung"
    assert user.check_password(VICTIM_PASSWORD) and not user.check_password(PASSWORD)  # the asker's is gone

    pressed = attacker.post("/signup/confirm/", CREATE, follow=True)
    assert SESSION_KEY not in attacker.session
    assert "This signup was continued in another browser" in pressed.content.decode()
    assert_learns_nothing(pressed)
    assert_learns_nothing(attacker.get("/signup/done/", follow=True))
    assert WIZARD_KEY not in attacker.session
    if mode:  # approved later: the asker is still not logged in
        user.is_active = True
        user.save()
        attacker.post("/signup/confirm/", CREATE, follow=True)
        assert SESSION_KEY not in attacker.session
    assert User.objects.count() == 1


def test_a_laptop_left_behind_after_finishing_on_the_phone_is_told_it_moved(sent_mail):
    forget_funnel_counts()
    laptop, phone = Client(), Client()
    walk_wizard(laptop, account=VICTIM, profile=VICTIM_PROFILE)
    ask_for_link(laptop)
    finish_from_link(phone, resume_path(sent_mail()[-1]))
    assert SESSION_KEY in phone.session

    today = {event: count for (event, *_rest), count in store.read(timezone.localdate()).items()}
    assert (today["started"], today["account"], today["profile"], today["created"]) == (1, 1, 1, 1)  # one person

    shown = laptop.get("/signup/confirm/", follow=True)
    assert "This signup was continued in another browser" in shown.content.decode()
    assert_learns_nothing(shown)
    assert laptop.post("/signup/confirm/", CREATE)["Location"] in ("/signup/", "/signup/account/")
    assert SESSION_KEY not in laptop.session


def test_a_link_works_once_and_a_second_opening_says_so(sent_mail):
    asker, first, second = Client(), Client(), Client()
    walk_wizard(asker, account=VICTIM, profile=VICTIM_PROFILE)
    ask_for_link(asker)
    mails = sent_mail()
    path = resume_path(mails[-1])
    first_id = signup_state(asker).wizard_id

    assert first.get(path).status_code == 302
    moved_id = signup_state(first).wizard_id
    assert moved_id != first_id  # the signup has a new id in the browser that opened the link
    again = second.get(path)
    assert again.status_code == 400
    page = again.content.decode()
    assert "This link has already been used" in page and "Email me a link to finish later" in page
    assert WIZARD_KEY not in second.session
    assert_learns_nothing(again)
    # The browser holding the signup, opening the link again, is pointed back to it.
    assert "Carry on with your signup in this browser" in first.get(path).content.decode()

    # The asker cannot revive its copy with a new link either.
    response = asker.post("/signup/confirm/", {**step_data("confirm"), "finish_later": "1"}, follow=True)
    assert "This signup was continued in another browser" in response.content.decode()
    assert len(sent_mail()) == len(mails)  # no new mail


def test_a_copy_of_a_finished_signup_is_never_logged_in(settings):
    """Two browsers holding one wizard (as a copied link used to make them): the second "Create account"
    fails the account step, finds the account its wizard id made, and must not be logged in to it."""
    settings.SIGNUP_EMAIL_VERIFICATION = "mandatory"
    settings.SIGNUP_REQUIRES_APPROVAL = True
    owner = Client()
    walk_wizard(owner, account=VICTIM, profile=VICTIM_PROFILE)
    copy = Client()
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[WIZARD_KEY] = owner.session[WIZARD_KEY]
    store.create()
    copy.cookies[settings.SESSION_COOKIE_NAME] = store.session_key

    assert owner.post("/signup/confirm/", CREATE)["Location"] == "/signup/done/"
    User.objects.update(is_active=True, email_verified_at="2026-01-01T00:00Z")  # approved and confirmed since
    response = copy.post("/signup/confirm/", CREATE, follow=True)
    assert response.redirect_chain[-1][0] == "/signup/already-created/"
    assert SESSION_KEY not in copy.session
    assert_learns_nothing(response)
    # No done page (it would name the account); what the copy holds is only what it was given before.
    assert copy.get("/signup/done/")["Location"] == "/signup/"


@pytest.mark.django_db(transaction=True)
def test_opening_the_link_and_create_account_in_the_asking_browser_at_once_give_one_owner(sent_mail):
    asker, opener = Client(), Client()
    walk_wizard(asker, account=VICTIM, profile=VICTIM_PROFILE)
    ask_for_link(asker)
    path = resume_path(sent_mail()[-1])

    pressed, opened = run_together(lambda: asker.post("/signup/confirm/", CREATE), lambda: opener.get(path))

    assert pressed.status_code == 302 and opened.status_code in (302, 404), (pressed, opened)
    if pressed["Location"] == "/signup/done/":  # the asker finished first: the link died with the draft
        assert opened.status_code == 404 and WIZARD_KEY not in opener.session
        assert SESSION_KEY in asker.session
    else:  # the link was opened first: the asker's copy is dead, the opener carries on
        assert opened.status_code == 302 and User.objects.count() == 0
        assert SESSION_KEY not in asker.session and WIZARD_KEY not in asker.session
        finish_from_link_after_open(opener)
        assert SESSION_KEY in opener.session and SESSION_KEY not in asker.session
    assert User.objects.count() == 1
    assert SignupDraft.objects.filter(used_at__isnull=True).count() == 0


def finish_from_link_after_open(client):
    account = {**VICTIM, "password1": VICTIM_PASSWORD, "password2": VICTIM_PASSWORD}
    assert client.post("/signup/account/?return=confirm", step_data("account", **account)).status_code == 302
    assert client.post("/signup/confirm/", CREATE)["Location"] == "/signup/done/"


# Mandatory mode and the username (finding 6) ------------------------------------------------------


@pytest.mark.parametrize("registered", [True, False], ids=["registered address", "new address"])
def test_in_mandatory_mode_the_username_reads_the_same_whatever_the_address(settings, existing_user, registered):
    settings.SIGNUP_EMAIL_VERIFICATION = "mandatory"
    prober = Client()
    email = existing_user.email if registered else "nobody-yet@example.com"
    walk_wizard(prober, account={**ACCOUNT, "username": "probe", "email": email})
    done = prober.post("/signup/confirm/", CREATE, follow=True)
    assert done.redirect_chain[-1][0] == "/signup/done/"

    second = Client()
    response = second.post("/signup/account/", step_data("account", **{**ACCOUNT, "username": "PROBE"}))
    assert response.status_code == 200
    assert "That username is taken" in response.content.decode()
    assert User.objects.filter(username="probe").exists() is not registered


# The done page on a shared browser ------------------------------------------------------------------


def test_the_done_page_shows_the_details_for_minutes_only(settings, signup, client):
    from datetime import timedelta

    import time_machine

    settings.SIGNUP_REQUIRES_APPROVAL = True  # not logged in: the next person at the browser is a stranger
    signup(until="done")
    assert "Kim Minji" in client.get("/signup/done/").content.decode()
    assert "Kim Minji" in client.get("/signup/done/").content.decode()  # a reload still shows it
    with time_machine.travel(timedelta(minutes=11)):
        later = client.get("/signup/done/", follow=True)
    assert later.redirect_chain[-1][0] == "/signup/account/"
    for detail in ("Kim Minji", "minji@example.com", "minji"):
        assert detail not in later.content.decode()
    assert "success_name" not in client.session and "success_email" not in client.session
