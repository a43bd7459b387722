"""Only superusers hand out privileges or touch other staff accounts; reviews never reach staff (crafted POSTs)."""

import pytest
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import Group, Permission

from onboarding.models import Profile, ReviewStatus, User
from tests.conftest import PASSWORD
from tests.test_admin import CHANGELIST, make_signup, run_action, staff_client

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase 9"


def review_permission():
    return Permission.objects.get(content_type__app_label="onboarding", codename="review_signup")


def change_form_data(user, **changes):
    """Everything the change form sends for `user`, plus whatever a crafted POST adds."""
    data = {
        "username": user.username,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "profile-TOTAL_FORMS": "0",
        "profile-INITIAL_FORMS": "0",
        "profile-MIN_NUM_FORMS": "0",
        "profile-MAX_NUM_FORMS": "1",
    }
    return {**data, **changes}


def test_staff_who_may_change_users_cannot_make_themselves_superuser_or_grant_permissions(client):
    staff = staff_client(client, "onboarding.view_user", "onboarding.change_user")
    group = Group.objects.create(name="Reviewers")
    group.permissions.add(review_permission())

    page = client.get(f"{CHANGELIST}{staff.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page and 'name="groups"' not in page

    crafted = change_form_data(
        staff, is_staff="on", is_superuser="on", groups=[group.pk], user_permissions=[review_permission().pk]
    )
    response = client.post(f"{CHANGELIST}{staff.pk}/change/", crafted)

    assert response.status_code == 302  # the rest of the form saved; the privileges were simply not in it
    staff.refresh_from_db()
    assert not staff.is_superuser
    assert not staff.groups.exists()
    assert not staff.has_perm("onboarding.review_signup")
    assert set(staff.user_permissions.values_list("codename", flat=True)) == {"view_user", "change_user"}


def test_staff_cannot_make_a_plain_user_staff_nor_edit_groups(client):
    staff_client(client, "onboarding.view_user", "onboarding.change_user", "auth.change_group", "auth.view_group")
    person = make_signup("plain", "Plain Person")
    group = Group.objects.create(name="Everyone")

    client.post(f"{CHANGELIST}{person.pk}/change/", change_form_data(person, is_staff="on", is_superuser="on"))
    person.refresh_from_db()
    assert not person.is_staff and not person.is_superuser

    crafted = {"name": "Everyone", "permissions": [review_permission().pk]}
    response = client.post(f"/admin/auth/group/{group.pk}/change/", crafted)
    assert response.status_code == 403
    assert not group.permissions.exists()


def test_staff_cannot_set_another_staff_members_password_or_change_their_account(client, admin_user):
    staff_client(client, "onboarding.view_user", "onboarding.change_user")
    colleague = User.objects.create_user("colleague", "colleague@example.com", PASSWORD, is_staff=True)

    for target in (admin_user, colleague):
        response = client.post(
            f"{CHANGELIST}{target.pk}/password/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )
        assert response.status_code == 403
        response = client.post(f"{CHANGELIST}{target.pk}/change/", change_form_data(target, email="mine@example.com"))
        assert response.status_code == 403
        target.refresh_from_db()
        assert not check_password(NEW_PASSWORD, target.password)
        assert target.email != "mine@example.com"


def test_a_superuser_can_grant_staff_and_set_a_staff_members_password(admin_client):
    colleague = User.objects.create_user("colleague", "colleague@example.com", PASSWORD)
    response = admin_client.post(
        f"{CHANGELIST}{colleague.pk}/change/",
        change_form_data(colleague, is_staff="on", user_permissions=[review_permission().pk]),
    )
    assert response.status_code == 302
    response = admin_client.post(
        f"{CHANGELIST}{colleague.pk}/password/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.is_staff and colleague.has_perm("onboarding.review_signup")
    assert check_password(NEW_PASSWORD, colleague.password)


def test_a_reviewer_cannot_reject_a_superuser_or_staff_and_is_told_why(client, admin_user):
    staff_client(client, "onboarding.view_user", "onboarding.change_user", "onboarding.review_signup")
    Profile.objects.create(user=admin_user, real_name="The Admin")
    colleague = make_signup("colleague", "A Colleague")
    colleague.is_staff = True
    colleague.save()
    person = make_signup("person", "A Person")

    response = run_action(client, "reject_selected", [admin_user, colleague, person], post="yes")
    page = client.get(response["Location"]).content.decode()

    admin_user.refresh_from_db()
    colleague.refresh_from_db()
    assert admin_user.is_active and colleague.is_active
    assert admin_user.profile.review_status == ReviewStatus.PENDING
    assert User.objects.get(username="person").profile.review_status == ReviewStatus.REJECTED
    assert "Rejected 1 signup." in page
    assert "2 selected users are staff and were left as they were: staff accounts are not reviewed." in page
    change_page = client.get(f"{CHANGELIST}{colleague.pk}/change/").content.decode()
    assert 'value="reject_selected"' not in change_page
