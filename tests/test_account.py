"""The account home: each action with the test client, asserting what is stored and what the person sees."""

import json
import time
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from onboarding.account.reauth import CONFIRM_SECONDS
from onboarding.models import Profile, ReviewStatus, SignupDraft, User
from onboarding.review.services import review_signups
from onboarding.session_keys import CONFIRMED_AT_KEY
from tests.conftest import PASSWORD
from tests.servers import client_address

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a different horse 77 staple"


def text(response):
    return response.content.decode()


def test_the_account_page_needs_a_login(client):
    response = client.get("/account/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=/account/")


def test_the_account_page_shows_what_we_hold(client, person):
    Profile.objects.filter(user=person).update(preferred_name="Tak", phone="010 1234 5678")
    response = client.get("/account/")
    page = text(response)
    shown = ("Taken", "taken@example.com", "Not confirmed yet", "Taken Person", "Tak", "010 1234 5678", "English")
    for value in shown:
        assert value in page
    assert "Waiting for review: our team looks at each new signup" in page
    assert "You can use your account in the meantime" in page
    assert 'href="/account/"' in page  # "Your account" in the header
    assert "no-store" in response["Cache-Control"]


def test_an_account_without_a_signup_profile_shows_no_review(client):
    staff = User.objects.create_user(username="staff", email="staff@example.com", password=PASSWORD, is_staff=True)
    client.force_login(staff)
    page = text(client.get("/account/"))
    assert "staff@example.com" in page and "Review" not in page and "Edit your details" not in page
    assert client.get("/account/details/").status_code == 404


def test_edit_details_saves_them_with_the_signup_rules(client, person):
    page = text(client.get("/account/details/"))
    assert 'value="Taken Person"' in page

    page = text(
        client.post("/account/details/", {"real_name": "", "preferred_name": "", "phone": "call me", "language": "fr"})
    )
    assert "Enter your full name." in page
    assert "Choose a language from the list." in page
    assert "Enter a phone number using digits, spaces and dashes" in page
    assert Profile.objects.get(user=person).real_name == "Taken Person"

    response = client.post(
        "/account/details/",
        {"real_name": "Kim Minji", "preferred_name": "Minji", "phone": "+82  10 1234 5678", "language": "ko"},
    )
    assert response["Location"] == "/account/"
    profile = Profile.objects.get(user=person)
    assert (profile.real_name, profile.preferred_name, profile.phone, profile.language) == (
        "Kim Minji",
        "Minji",
        "+82 10 1234 5678",
        "ko",
    )
    assert "Your details have been saved." in text(client.get("/account/"))


def test_change_password_needs_the_signup_rules(client, person):
    # The rules are listed before anything is typed, as on the signup's account step.
    page = client.get("/account/password/").content.decode()
    assert page.count('<li class="password-rule">') == 6 and "At least 15 characters." in page
    # "Confirm it's you" asked for the current password (the login did, moments ago): this page does not.
    assert 'name="current_password"' not in page
    page = text(client.post("/account/password/", {"new_password1": "", "new_password2": ""}))
    assert "Enter a password." in page

    page = text(client.post("/account/password/", {"new_password1": "12345678", "new_password2": "12345678"}))
    assert "Your password is 8 characters long. Make it at least 15 characters" in page
    assert "Your password is on a list of leaked or common passwords" in page
    assert "Your password does not meet the rules marked under the password field." in page
    assert "For your security, we never send a password back to the page" in page
    page = text(
        client.post("/account/password/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"})
    )
    assert "The two passwords do not match." in page
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


@pytest.mark.parametrize("path", ["/account/password/", "/account/delete/", "/account/email/"])
def test_changes_to_a_way_in_ask_to_confirm_its_you_after_5_minutes(client, person, path):
    session = client.session
    session[CONFIRMED_AT_KEY] = time.time() - CONFIRM_SECONDS - 1
    session.save()
    asked = client.get(path)
    assert asked.status_code == 302 and asked["Location"] == f"/account/confirm/?next={quote(path, safe='')}"
    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD, "confirm": "on", "email": "n@example.com"}
    assert client.post(path, data)["Location"].startswith("/account/confirm/")  # not acted on
    person.refresh_from_db()
    assert person.check_password(PASSWORD) and User.objects.filter(pk=person.pk).exists()
    client.post(asked["Location"], {"current_password": PASSWORD})
    assert client.get(path).status_code == 200


def test_change_password_keeps_this_session_and_ends_the_others(client, person):
    other_device = Client()
    other_device.force_login(person)
    assert other_device.get("/account/").status_code == 200

    response = client.post(
        "/account/password/",
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == "/account/"
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD) and not person.check_password(PASSWORD)
    assert "Your password has been changed." in text(client.get("/account/"))
    assert other_device.get("/account/").status_code == 302  # logged out there

    client.post("/logout/")
    assert client.post("/login/", {"username": "Taken", "password": NEW_PASSWORD})["Location"] == "/account/"


def test_delete_needs_the_confirmation(client, person):
    page = text(client.post("/account/delete/", {}))
    assert "Tick the box to confirm that you want to delete your account." in page
    assert 'name="current_password"' not in page
    assert User.objects.filter(pk=person.pk).exists()


def test_delete_removes_the_account_keeps_the_reviewers_history_without_the_name(client, person):
    reviewer = User.objects.create_user(username="reviewer", email="r@example.com", password=PASSWORD, is_staff=True)
    reviewer.user_permissions.add(Permission.objects.get(codename="review_signup"))
    reviewer = User.objects.get(pk=reviewer.pk)
    review_signups(users=User.objects.filter(pk=person.pk), status=ReviewStatus.APPROVED, reviewer=reviewer)
    # Approval of an active account sends nothing; the history now names the person.
    entry = LogEntry.objects.get(user=reviewer, action_flag=CHANGE)
    assert entry.object_repr == "Taken"
    person_id = person.pk
    later = timezone.now() + timedelta(days=7)
    SignupDraft.objects.create(wizard_id="a", token_hash="a", email="TAKEN@example.com", data={}, expires_at=later)
    SignupDraft.objects.create(wizard_id="b", token_hash="b", email="other@example.com", data={}, expires_at=later)

    other_device = Client()
    other_device.force_login(person)

    response = client.post("/account/delete/", {"confirm": "on"}, follow=True)

    assert response.redirect_chain[-1][0] == "/account/deleted/"
    assert "Your account has been deleted" in text(response)
    assert not User.objects.filter(pk=person_id).exists()
    assert not Profile.objects.filter(user_id=person_id).exists()
    assert SESSION_KEY not in client.session
    assert list(SignupDraft.objects.values_list("email", flat=True)) == ["other@example.com"]
    entry.refresh_from_db()
    assert entry.object_id == str(person_id) and entry.object_repr == f"deleted account #{person_id}"
    assert "Taken" not in entry.object_repr + entry.change_message
    # The old session and the old password lead nowhere; the "deleted" page is shown once.
    assert client.get("/account/").status_code == 302
    response = other_device.get("/account/", follow=True)  # a session of the deleted account: just logged out
    assert response.status_code == 200 and response.redirect_chain[-1][0].startswith("/login/")
    assert client.get("/account/deleted/")["Location"] == "/"
    assert "The username, email address or password is not right." in text(
        client.post("/login/", {"username": "Taken", "password": PASSWORD})
    )


@pytest.mark.argon2
def test_download_your_data_is_everything_but_the_password_hash(client, person):
    response = client.get("/account/data/")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="account-data-')
    data = json.loads(response.content)
    assert data["account"]["username"] == "Taken" and data["account"]["email"] == "taken@example.com"
    assert data["profile"]["real_name"] == "Taken Person" and data["profile"]["review_status"] == "pending"
    assert [event["kind"] for event in data["security_log"]] == ["login"] and len(data["sessions"]) == 1
    assert "argon2" not in response.content.decode() and "password" not in response.content.decode()


def test_the_landing_page_greets_someone_logged_in_and_links_to_the_account(client, person):
    Profile.objects.filter(user=person).update(preferred_name="Tak")
    page = text(client.get("/"))
    assert "Welcome back, Tak" in page and 'href="/account/"' in page
    assert "Create your account" not in page


def test_the_done_page_greets_by_preferred_name_and_leads_to_the_account(signup, client):
    signup(until="done")
    page = text(client.get("/signup/done/"))
    assert "Welcome, Minji!" in page
    assert "What happens next" in page and 'href="/account/"' in page
    assert "We sent an email to <strong>minji@example.com</strong> with a link to confirm your address." in page
    # Back onto a step, or a stale form posted from before the login: never "out of date".
    assert client.get("/signup/confirm/")["Location"] == "/signup/done/"
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.cookies = client.cookies
    assert csrf_client.post("/signup/confirm/", {})["Location"] == "/signup/done/"


def test_the_done_page_in_approval_mode_says_the_account_awaits_review(signup, client, settings):
    settings.SIGNUP_REQUIRES_APPROVAL = True
    signup(until="done")
    page = text(client.get("/signup/done/"))
    assert "Thank you, Minji!" in page
    assert "We will email you at minji@example.com when it has been approved." in page
    assert "Our staff will check your signup." in page
    # Not logged in: Back onto a step shows the done page again, and /signup/ starts a new signup.
    assert client.get("/signup/confirm/")["Location"] == "/signup/done/"
    assert client.get("/signup/")["Location"] == "/signup/account/"


def test_password_checks_of_confirm_its_you_are_limited_like_login(settings, client, person):
    settings.LOGIN_RATE_LIMIT = "3/h"
    # A fresh address: with Redis the counters outlive the test's database transaction.
    client.defaults["REMOTE_ADDR"] = client_address(3600)
    for _ in range(3):
        page = client.post("/account/confirm/", {"current_password": "not the password at all"})
        assert page.status_code == 200 and "That is not your current password." in page.content.decode()
    refused = client.post("/account/confirm/", {"current_password": PASSWORD})
    assert refused.status_code == 429
    assert "Return to your account" in refused.content.decode()


def test_change_password_reports_every_problem_in_one_round(client, person):
    page = text(client.post("/account/password/", {"new_password1": "short one", "new_password2": "short two"}))
    assert "The two passwords do not match." in page
    assert "Your password is 9 characters long. Make it at least 15 characters" in page


def test_the_browsers_zone_is_kept_on_the_profile_and_changeable_on_the_account_page(client):
    from tests.conftest import ACCOUNT, PROFILE, step_data

    client.get("/signup/")
    client.post("/signup/account/", {**step_data("account", **ACCOUNT), "time_zone": "Europe/London"})
    client.post("/signup/profile/", step_data("profile", **PROFILE))
    client.post("/signup/confirm/", step_data("confirm", accept_terms="on"))
    profile = Profile.objects.get(user__username="minji")
    assert profile.time_zone == "Europe/London"
    assert "Europe/London" in text(client.get("/account/"))
    details = {"real_name": "Kim Minji", "preferred_name": "", "phone": "", "language": "ko"}
    page = text(client.post("/account/details/", {**details, "time_zone": "Nowhere/Atlantis"}))
    assert "Choose a time zone from the list." in page
    response = client.post("/account/details/", {**details, "time_zone": "Asia/Seoul"})
    assert response["Location"] == "/account/"
    profile.refresh_from_db()
    assert profile.time_zone == "Asia/Seoul"
    assert client.session["time_zone"] == "Asia/Seoul"


def test_a_profile_in_utc_keeps_utc_when_other_details_are_saved(client, person):
    Profile.objects.filter(user=person).update(time_zone="UTC")
    page = text(client.get("/account/details/"))
    assert '<option value="UTC" selected>UTC</option>' in page
