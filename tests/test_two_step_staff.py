"""Staff and the second factor: SIGNUP_STAFF_REQUIRE_2FA sends a staff account without one to set it up before
any admin page opens, and a session that logged in with the password alone to log in again; a change of
privileges in the admin waits for "confirm it's you"."""

import os
import time

import pytest
from django.contrib.auth.models import Group, Permission

from onboarding.account import reauth
from onboarding.models import Passkey, TwoStepDevice, User
from onboarding.session_keys import CONFIRMED_AT_KEY
from onboarding.twostep import totp
from tests.conftest import PASSWORD
from tests.servers import manage
from tests.test_admin import CHANGELIST, make_signup
from tests.test_admin_privileges import change_form_data
from tests.test_two_step import log_in, next_code, turn_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def required(settings):
    settings.SIGNUP_STAFF_REQUIRE_2FA = True


@pytest.fixture
def boss(client):
    user = User.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    client.force_login(user)
    return user


def lapse_confirmation(client):
    session = client.session
    session[CONFIRMED_AT_KEY] = time.time() - reauth.CONFIRM_SECONDS - 1
    session.save()


@pytest.mark.parametrize("path", ["/admin/", f"{CHANGELIST}", "/admin/auth/group/add/", "/admin/password_change/"])
def test_staff_without_a_second_factor_are_sent_to_set_one_up(required, client, boss, path):
    sent = client.get(path, follow=True)
    assert sent.redirect_chain[0] == ("/account/two-step/turn-on/", 302)
    assert "Staff accounts need a second step to open the admin." in sent.text
    assert "QR code for setting up your authenticator app" in sent.text


def test_plain_staff_too_and_the_admin_opens_once_two_step_is_on(required, client):
    staff = User.objects.create_user("staff", "staff@example.com", PASSWORD, is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_user"))
    client.force_login(staff)
    assert client.get(CHANGELIST)["Location"] == "/account/two-step/turn-on/"
    turn_on(client)  # in this session: a code from the app was just shown
    assert client.get(CHANGELIST).status_code == 200


def test_a_login_with_the_code_opens_the_admin(required, client, boss):
    secret, _ = turn_on(client)
    log_in(client, "boss", path="/admin/login/?next=/admin/")
    assert client.post("/login/code/", {"code": next_code(secret)})["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_session_that_logged_in_with_the_password_alone_logs_in_again(required, client, boss):
    TwoStepDevice.objects.create(user=boss, secret=totp.new_secret())
    client.force_login(boss)  # a password alone (as before two-step verification was asked for)
    sent = client.get(f"{CHANGELIST}?q=x", follow=True)
    assert sent.redirect_chain[0] == ("/login/?next=%2Fadmin%2Fonboarding%2Fuser%2F%3Fq%3Dx", 302)
    assert "To open the admin, log in again with your two-step code or your passkey." in sent.text
    assert "_auth_user_id" not in client.session


def test_a_passkey_counts_as_a_second_factor(required, client, boss):
    Passkey.objects.create(user=boss, credential_id="abc", user_handle="h", public_key=b"k", name="Laptop")
    # Not sent to set one up: to log in again, with the passkey (whose login marks the session multi-factor).
    assert client.get("/admin/")["Location"].startswith("/login/?next=")


def test_the_admins_login_and_logout_stay_open(required, client, boss):
    assert client.get("/admin/login/")["Location"] == "/admin/"  # then sent on from there
    assert client.post("/admin/logout/")["Location"] == "/"
    assert "_auth_user_id" not in client.session


def test_without_the_setting_the_password_alone_opens_the_admin(client, boss):
    assert client.get("/admin/").status_code == 200


def test_the_setting_is_on_in_production_and_off_with_debug():
    env = {key: value for key, value in os.environ.items() if not key.startswith("SIGNUP_STAFF")}
    show = ("diffsettings", "--all")

    def setting(**more):
        line = next(line for line in manage({**env, **more}, *show).splitlines() if "SIGNUP_STAFF_REQUIRE_2FA" in line)
        return line.split("=")[1].split()[0]

    assert setting(DJANGO_DEBUG="0") == "True"
    assert setting(DJANGO_DEBUG="1") == "False"
    assert setting(DJANGO_DEBUG="0", SIGNUP_STAFF_REQUIRE_2FA="0") == "False"


def test_granting_privileges_waits_for_confirm_its_you(client, boss):
    person = make_signup("plain", "Plain Person")
    lapse_confirmation(client)
    url = f"{CHANGELIST}{person.pk}/change/"
    asked = client.post(url, change_form_data(person, is_staff="on", email="new@example.com"))
    assert asked.status_code == 200
    page = asked.content.decode()
    assert "Changing privileges needs one more step, and nothing was saved." in page
    assert f'<a href="/account/confirm/?next=%2Fadmin%2Fonboarding%2Fuser%2F{person.pk}%2Fchange%2F">' in page
    person.refresh_from_db()
    assert not person.is_staff and person.email == "plain@example.com"
    # Other changes need no confirmation.
    assert client.post(url, change_form_data(person, email="new@example.com")).status_code == 302
    # Confirmed: the same change goes through.
    confirmed = client.post(f"/account/confirm/?next={url}", {"current_password": PASSWORD})
    assert confirmed["Location"] == url
    assert client.post(url, change_form_data(person, is_staff="on")).status_code == 302
    person.refresh_from_db()
    assert person.is_staff


def test_taking_away_permissions_and_editing_a_groups_permissions_wait_too(client, boss):
    permission = Permission.objects.get(codename="review_signup")
    staff = User.objects.create_user("staff", "staff@example.com", PASSWORD, is_staff=True)
    staff.user_permissions.add(permission)
    lapse_confirmation(client)
    asked = client.post(f"{CHANGELIST}{staff.pk}/change/", change_form_data(staff, is_staff="on"))
    assert "Changing privileges needs one more step" in asked.content.decode()
    assert staff.user_permissions.exists()
    asked = client.post("/admin/auth/group/add/", {"name": "Reviewers", "permissions": [permission.pk]})
    assert asked.status_code == 200 and "Changing privileges needs one more step" in asked.content.decode()
    assert not Group.objects.exists()
    client.post("/account/confirm/", {"current_password": PASSWORD})
    assert (
        client.post("/admin/auth/group/add/", {"name": "Reviewers", "permissions": [permission.pk]}).status_code == 302
    )
    assert Group.objects.get().permissions.get() == permission
