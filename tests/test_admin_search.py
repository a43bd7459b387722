"""The admin's search reads User.search_text: username, email and full name, kept in step by every write."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onboarding.account.services import change_email, start_email_change
from onboarding.models import EmailChange, Profile, User
from tests.test_admin import CHANGELIST, listed, make_signup

pytestmark = pytest.mark.django_db


def found(admin_client, query):
    return listed(admin_client.get(CHANGELIST, {"q": query}))


def test_a_new_account_is_searchable_at_once_without_a_second_write():
    with CaptureQueriesContext(connection) as queries:
        user = make_signup("minji", "김민지", email="Minji@Example.com")
    assert User.objects.get(pk=user.pk).search_text == "minji\nMinji@example.com\n김민지"
    # The user row is written once, already holding the name: no UPDATE after the profile's INSERT.
    assert not [query["sql"] for query in queries.captured_queries if query["sql"].startswith("UPDATE")]


def test_each_word_may_match_a_different_field_and_case_does_not_matter(admin_client):
    make_signup("minji", "김민지", email="mk@example.org")
    make_signup("ameliac", "Amelia Clarke")
    make_signup("oliver", "Oliver Clark")
    assert found(admin_client, "minji 김민") == ["minji"]
    assert found(admin_client, "MK@EXAMPLE.ORG minji") == ["minji"]
    assert found(admin_client, "amelia clar") == ["ameliac"]
    assert sorted(found(admin_client, "clark")) == ["ameliac", "oliver"]
    assert found(admin_client, '"Oliver Clark"') == ["oliver"]
    # A word never matches across two fields: the username ends where the address begins.
    assert found(admin_client, "oliveroliver") == []


def test_edited_details_and_a_changed_address_are_what_search_finds(admin_client, client, person):
    response = client.post(
        "/account/details/", {"real_name": "Kim Minji", "preferred_name": "", "phone": "", "language": "en"}
    )
    assert response.status_code == 302
    assert found(admin_client, "Kim Minji") == ["Taken"]
    assert found(admin_client, "Taken Person") == []

    start_email_change(user=person, new_email="minji@example.net")
    change_email(change_id=EmailChange.objects.get(user=person).pk)
    assert found(admin_client, "minji@example.net") == ["Taken"]
    assert found(admin_client, "taken@example.com") == []
    assert found(admin_client, "Kim Minji") == ["Taken"]  # the name stays when only the address changes


def test_the_admins_own_forms_keep_it_in_step(admin_client):
    user = make_signup("seojun", "이서준")
    # As the admin's user form saves it: the profile is not loaded, the stored name is kept.
    user = User.objects.get(pk=user.pk)
    user.username = "seojun.lee"
    user.save()
    assert found(admin_client, "seojun.lee 이서준") == ["seojun.lee"]
    # As the profile inline saves it.
    profile = Profile.objects.get(user=user)
    profile.real_name = "Lee Seojun"
    profile.save()
    assert found(admin_client, "Lee Seojun") == ["seojun.lee"]
    assert found(admin_client, "이서준") == []


def test_staff_without_a_signup_profile_are_found_by_username_and_email(admin_client, django_user_model):
    django_user_model.objects.create_user("helper", "helper@example.com", "x", is_staff=True)
    assert found(admin_client, "helper@") == ["helper"]
    helper = User.objects.get(username="helper")
    assert helper.search_text == "helper\nhelper@example.com\n"
    assert helper.greeting_name == "helper"  # looks for the profile, and remembers there is none
    helper.email = "help@example.org"
    helper.save()
    assert found(admin_client, "help@example.org") == ["helper"]


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_it_for_existing_accounts(admin_client):
    from tests.test_identities import LATEST, migrate

    old_user = migrate([("onboarding", "0006_identity_keys")])
    old_profile = old_user._meta.apps.get_model("onboarding", "Profile")
    signup = old_user.objects.create(username="minji", email="minji@example.com", password="!", username_key="minji")
    old_profile.objects.create(user=signup, real_name="김민지")
    old_user.objects.create(username="staff", email="staff@example.com", password="!", username_key="staff")
    migrate(LATEST)
    assert dict(User.objects.values_list("username", "search_text")) == {
        "admin": "admin\nadmin@example.com\n",
        "minji": "minji\nminji@example.com\n김민지",
        "staff": "staff\nstaff@example.com\n",
    }
