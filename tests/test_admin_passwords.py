"""Staff passwords in the admin (second review, findings 5 and 10): the current one is asked, guesses limited."""

import pytest
from django.contrib.auth.models import Permission

from onboarding.models import User
from tests.conftest import PASSWORD
from tests.servers import client_address

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase 9"


def staff_member(client, *codenames, superuser=False):
    user = User.objects.create_user("staff", "staff@example.com", PASSWORD, is_staff=True, is_superuser=superuser)
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(content_type__app_label="onboarding", codename=codename))
    client.force_login(user)
    return user


def test_staff_set_their_own_password_only_on_the_page_that_asks_for_the_current_one(client):
    staff = staff_member(client, "view_user", "change_user")
    own = f"/admin/onboarding/user/{staff.pk}/password/"
    assert client.get(own)["Location"] == "/admin/password_change/"
    # A stolen session cannot set a lasting password without knowing the current one.
    response = client.post(own, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert response.status_code == 302 and response["Location"] == "/admin/password_change/"
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)

    page = client.get("/admin/password_change/").content.decode()
    assert 'name="old_password"' in page
    client.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    staff.refresh_from_db()
    assert staff.check_password(NEW_PASSWORD)


def test_staff_still_set_a_signups_password_and_superusers_their_own(client):
    staff = staff_member(client, "view_user", "change_user")
    member = User.objects.create_user("member", "member@example.com", PASSWORD)
    assert client.get(f"/admin/onboarding/user/{member.pk}/password/").status_code == 200
    staff.is_superuser = True
    staff.save()
    assert client.get(f"/admin/onboarding/user/{staff.pk}/password/").status_code == 200


def test_guessing_the_current_password_on_the_admins_password_change_is_limited(client, settings):
    settings.LOGIN_RATE_LIMIT = "3/h"
    client.defaults["REMOTE_ADDR"] = client_address(3600)
    staff_member(client, "view_user")
    wrong = {"old_password": "a guess", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    statuses = [client.post("/admin/password_change/", wrong).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.post("/admin/password_change/", wrong).content.decode()
    assert "We received a lot of attempts to change this account" in refused


def test_the_admins_password_change_still_needs_a_login(client):
    assert client.get("/admin/password_change/")["Location"].startswith("/admin/login/")
