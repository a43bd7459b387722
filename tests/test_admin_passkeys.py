"""Staff and a user's passkeys in the admin: listed read-only (name, made with, added, last used); only a
superuser removes one, and that is logged with the user's other changes."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry

from onboarding.models import Passkey, User
from tests.soft_authenticator import SoftAuthenticator
from tests.test_admin import CHANGELIST, staff_client
from tests.test_admin_privileges import change_form_data
from tests.test_passkeys_manage import stored_passkey

pytestmark = pytest.mark.django_db


@pytest.fixture
def mina():
    user = User.objects.create_user("mina", "mina@example.com", None)
    stored_passkey(user, SoftAuthenticator("http://testserver"), name="Mina's phone")
    return user


def remove_data(user, passkey):
    return change_form_data(
        user,
        **{
            "passkeys-TOTAL_FORMS": "1",
            "passkeys-INITIAL_FORMS": "1",
            "passkeys-MIN_NUM_FORMS": "0",
            "passkeys-MAX_NUM_FORMS": "1000",
            "passkeys-0-id": str(passkey.pk),
            "passkeys-0-user": str(user.pk),
            "passkeys-0-DELETE": "on",
        },
    )


def test_a_superuser_sees_the_passkeys_and_removes_one_with_a_log_entry(admin_client, admin_user, mina):
    passkey = mina.passkeys.get()
    page = admin_client.get(f"{CHANGELIST}{mina.pk}/change/").content.decode()
    for shown in ("Mina&#x27;s phone", "Firefox on Linux", "Last used at", "passkeys-0-DELETE"):
        assert shown in page
    assert 'name="passkeys-0-name"' not in page  # read-only
    response = admin_client.post(f"{CHANGELIST}{mina.pk}/change/", remove_data(mina, passkey))
    assert response.status_code == 302, response.content.decode()
    assert not Passkey.objects.filter(pk=passkey.pk).exists()
    entry = LogEntry.objects.get(object_id=str(mina.pk), action_flag=CHANGE)
    assert entry.user == admin_user
    assert entry.get_change_message() == "Deleted passkey “Mina's phone”."


def test_staff_without_superuser_see_the_passkeys_but_cannot_remove_one(client, mina):
    staff_client(client, "onboarding.view_user", "onboarding.change_user")
    passkey = mina.passkeys.get()
    page = client.get(f"{CHANGELIST}{mina.pk}/change/").content.decode()
    assert "Mina&#x27;s phone" in page and "Firefox on Linux" in page
    assert "passkeys-0-DELETE" not in page
    client.post(f"{CHANGELIST}{mina.pk}/change/", remove_data(mina, passkey))  # a crafted POST
    assert Passkey.objects.filter(pk=passkey.pk).exists()


def test_staff_who_may_only_view_users_see_the_passkeys(client, mina):
    staff_client(client, "onboarding.view_user")
    page = client.get(f"{CHANGELIST}{mina.pk}/change/").content.decode()
    assert "Mina&#x27;s phone" in page and "passkeys-0-DELETE" not in page


def test_a_user_without_passkeys_has_no_passkeys_section(admin_client):
    user = User.objects.create_user("nopass", "nopass@example.com", "x")
    assert "passkeys-TOTAL_FORMS" not in admin_client.get(f"{CHANGELIST}{user.pk}/change/").content.decode()
