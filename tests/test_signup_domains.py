"""Rules on the address's domain at the account step: throwaway, blocked, allowed-only, approved at once."""

import logging

import pytest
from django.contrib.admin.models import LogEntry

from onboarding.access.domains import disposable, refusal
from onboarding.models import ReviewStatus, User
from tests.conftest import ACCOUNT, step_data, walk_wizard


def account_step(client, email):
    client.get("/signup/")
    return client.post("/signup/account/", step_data("account", **{**ACCOUNT, "email": email}))


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["someone@mailinator.com", "someone@MAILINATOR.COM", "x@a.b.mailinator.com"])
def test_a_throwaway_address_is_refused_with_the_reason(client, email):
    response = account_step(client, email)
    assert response.status_code == 200  # the step again, with the error
    page = response.content.decode()
    assert "Addresses at mailinator.com are throwaway addresses" in page
    assert "Use an email address you will keep." in page
    assert not User.objects.exists()


def test_the_list_is_the_maintained_package():
    assert disposable("mailinator.com") and disposable("sub.guerrillamail.com")
    assert not disposable("example.com") and not disposable("gmail.com") and not disposable("com")


@pytest.mark.django_db
def test_a_throwaway_address_is_refused_in_korean(client):
    client.cookies["django_language"] = "ko"
    page = account_step(client, "someone@mailinator.com").content.decode()
    assert "mailinator.com 주소는 일회용 주소입니다" in page


@pytest.mark.django_db
def test_blocked_domains_and_their_subdomains_are_refused(client, settings):
    settings.SIGNUP_BLOCKED_DOMAINS = ["Spam.example"]
    assert refusal("a@mail.spam.example") == ("email_blocked", {"domain": "mail.spam.example"})
    assert refusal("a@notspam.example") is None
    page = account_step(client, "minji@SPAM.example").content.decode()
    assert "Addresses at spam.example cannot be used here. Use a different email address." in page


@pytest.mark.django_db
def test_allowed_domains_let_in_only_their_addresses(client, settings):
    settings.SIGNUP_ALLOWED_DOMAINS = ["example.edu", "@uni.example"]
    page = account_step(client, "minji@example.com").content.decode()
    assert "Only addresses at example.edu, uni.example can be used here." in page
    assert refusal("minji@cs.example.edu") is None and refusal("minji@uni.example") is None
    walk_wizard(client, "done", account={**ACCOUNT, "email": "minji@cs.example.edu"})
    assert User.objects.get().email == "minji@cs.example.edu"


def test_a_domain_the_site_names_is_never_refused_as_throwaway(settings):
    settings.SIGNUP_AUTO_APPROVE_DOMAINS = ["mailinator.com"]
    assert refusal("a@mailinator.com") is None
    settings.SIGNUP_AUTO_APPROVE_DOMAINS = []
    settings.SIGNUP_BLOCKED_DOMAINS = ["mailinator.com"]
    assert refusal("a@mailinator.com")[0] == "email_blocked"  # blocking still wins


@pytest.mark.django_db
@pytest.mark.parametrize("approval", [True, False])
def test_signups_at_a_trusted_domain_are_approved_when_made_and_logged(client, settings, caplog, approval):
    settings.SIGNUP_REQUIRES_APPROVAL = approval
    settings.SIGNUP_AUTO_APPROVE_DOMAINS = ["example.edu"]
    with caplog.at_level(logging.INFO, logger="onboarding.access.approval"):
        walk_wizard(client, "done", account={**ACCOUNT, "email": "minji@cs.Example.edu"})
    user = User.objects.select_related("profile").get()
    assert user.is_active
    assert user.profile.review_status == ReviewStatus.APPROVED and user.profile.reviewed_at
    assert "example.edu" in user.profile.review_note
    entry = LogEntry.objects.get(object_id=str(user.pk))
    assert "Approved automatically at signup" in entry.change_message
    assert "approved automatically" in caplog.text
    assert "_auth_user_id" in client.session  # logged in at once: nothing holds the account
    assert "awaiting review" not in client.get("/signup/done/").content.decode()


@pytest.mark.django_db
def test_signups_elsewhere_still_wait_for_review(client, settings):
    settings.SIGNUP_REQUIRES_APPROVAL = True
    settings.SIGNUP_AUTO_APPROVE_DOMAINS = ["example.edu"]
    walk_wizard(client, "done", account={**ACCOUNT, "email": "minji@example.education"})
    user = User.objects.select_related("profile").get()
    assert not user.is_active and user.profile.review_status == ReviewStatus.PENDING
    assert not LogEntry.objects.exists()
