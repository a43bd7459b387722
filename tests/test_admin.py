"""The review admin through Django's test client: what staff see, what they may do, and what is stored."""

import csv
import html
import io
import re
from datetime import timedelta
from functools import cache

import pytest
from django.conf import settings as django_settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from onboarding.models import Profile, ReviewStatus, User
from onboarding.review.services import review_signups
from onboarding.signup.accounts import create_account
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/onboarding/user/"


def password_hash():
    return _password_hash(django_settings.PASSWORD_HASHERS[0])


@cache
def _password_hash(hasher):
    # One hash per hasher for every signup made here (the fast one, or Argon2 in tests marked argon2).
    return make_password(PASSWORD)


def make_signup(username, real_name, *, days_ago=0, email=None, **profile):
    return create_account(
        username=username,
        email=email or f"{username}@example.com",
        password_hash=password_hash(),
        real_name=real_name,
        date_joined=timezone.now() - timedelta(days=days_ago),
        **profile,
    )


@pytest.fixture
def signups(db):
    """Three signups, newest first: minji (today), seojun (3 days ago), amelia (40 days ago)."""
    return [
        make_signup("minji", "김민지", preferred_name="민지", phone="+82 10 1234 5678"),
        make_signup("seojun", "Lee Seojun", days_ago=3, email="seojun@example.org"),
        make_signup("amelia", "Amelia Clarke", days_ago=40),
    ]


def staff_client(client, *permissions):
    """Log in a staff member holding exactly these permissions (app_label.codename)."""
    user = User.objects.create_user("staff", "staff@example.com", PASSWORD, is_staff=True)
    for name in permissions:
        app_label, codename = name.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    client.force_login(user)
    return user


def run_action(client, action, users, **data):
    """Pick users on the changelist and run an action; without `post` this shows the confirmation page."""
    return client.post(CHANGELIST, {"action": action, "_selected_action": [user.pk for user in users], **data})


def can_log_in(username):
    client = Client()
    client.post("/login/", {"username": username, "password": PASSWORD})
    return SESSION_KEY in client.session


def listed(response):
    return [user.username for user in response.context["cl"].result_list]


# The list ------------------------------------------------------------------


def test_the_list_shows_each_signup_with_its_answers_newest_first(admin_client, signups):
    response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    page = response.content.decode()
    for heading in ("Username", "Email address", "Full name", "Date joined", "Review status", "Active"):
        assert f">{heading}</a>" in page or f">{heading}</span>" in page, heading
    assert [name for name in listed(response) if name != "admin"] == ["minji", "seojun", "amelia"]
    assert page.index("김민지") < page.index("Lee Seojun") < page.index("Amelia Clarke")
    assert page.count(">Pending</td>") == 3
    assert 'id="searchbar"' in page and "Search by username, email address or full name." in page


def test_the_list_costs_the_same_queries_for_3_or_30_signups(admin_client, signups):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(CHANGELIST).status_code == 200
        return len(captured)

    few = queries()
    for number in range(27):
        make_signup(f"person{number}", f"Person {number}", days_ago=number)
    assert queries() == few


@pytest.mark.parametrize(
    "query, expected",
    [("seojun", ["seojun"]), ("example.org", ["seojun"]), ("김민지", ["minji"]), ("clarke", ["amelia"])],
)
def test_search_finds_signups_by_username_email_or_full_name(admin_client, signups, query, expected):
    response = admin_client.get(CHANGELIST, {"q": query})
    assert listed(response) == expected
    assert "1 result" in response.content.decode()


def test_filters_by_review_status_active_and_date_joined(admin_client, signups, admin_user):
    minji, seojun, amelia = signups
    review_signups(users=[seojun], status=ReviewStatus.APPROVED, reviewer=admin_user)
    review_signups(users=[amelia], status=ReviewStatus.REJECTED, reviewer=admin_user)

    page = admin_client.get(CHANGELIST).content.decode()
    for choice in ("By review status", "By active", "By date joined", "Past 7 days"):
        assert choice in page
    assert listed(admin_client.get(CHANGELIST, {"profile__review_status__exact": "approved"})) == ["seojun"]
    assert listed(admin_client.get(CHANGELIST, {"profile__review_status__exact": "pending"})) == ["minji"]
    assert listed(admin_client.get(CHANGELIST, {"is_active__exact": "0"})) == ["amelia"]
    # Follow the filter's own link, as a person clicking "Past 7 days" does.
    past_week = re.search(r'<a href="\?([^"]+)">Past 7 days</a>', page).group(1)
    recent = admin_client.get(f"{CHANGELIST}?{html.unescape(past_week)}")
    assert set(listed(recent)) == {"admin", "minji", "seojun"}


def test_the_date_hierarchy_drills_into_date_joined(admin_client, signups):
    early = make_signup("early", "Early Bird", days_ago=3 * 366)
    year = early.date_joined.year
    page = admin_client.get(CHANGELIST).content.decode()
    link = re.search(rf'<nav class="toplinks">.*?<a href="\?([^"]+)">{year}</a>', page, re.DOTALL).group(1)
    assert listed(admin_client.get(f"{CHANGELIST}?{html.unescape(link)}")) == ["early"]


# Approving and rejecting -----------------------------------------------------


def test_approving_asks_first_then_approves_logs_and_reports_the_count(admin_client, admin_user, signups):
    minji, seojun, amelia = signups
    response = run_action(admin_client, "approve_selected", [minji, seojun])
    assert response.status_code == 200
    page = response.content.decode()
    assert "Are you sure you want to approve these 2 users?" in page
    assert "김민지" in page and "Lee Seojun" in page and "Amelia Clarke" not in page
    assert 'value="Yes, approve"' in page and "No, take me back" in page
    assert Profile.objects.filter(review_status=ReviewStatus.APPROVED).count() == 0  # nothing decided yet

    before = timezone.now()
    response = run_action(admin_client, "approve_selected", [minji, seojun], post="yes", note="Checked by phone.")
    assert response.status_code == 302 and response["Location"] == CHANGELIST
    page = admin_client.get(CHANGELIST).content.decode()
    assert "Approved 2 signups." in page

    for user in (minji, seojun):
        user.refresh_from_db()
        profile = user.profile
        assert (profile.review_status, profile.reviewed_by, profile.review_note) == (
            ReviewStatus.APPROVED,
            admin_user,
            "Checked by phone.",
        )
        assert profile.reviewed_at >= before and user.is_active
    assert Profile.objects.get(user=amelia).review_status == ReviewStatus.PENDING

    entries = LogEntry.objects.order_by("object_id")
    assert [(e.object_id, e.user, e.action_flag) for e in entries] == [
        (str(minji.pk), admin_user, CHANGE),
        (str(seojun.pk), admin_user, CHANGE),
    ]
    assert entries[0].get_change_message() == "Review status changed from Pending to Approved. Note: Checked by phone."
    history = admin_client.get(f"{CHANGELIST}{minji.pk}/history/").content.decode()
    assert "Review status changed from Pending to Approved." in history
    assert mail.outbox == []  # they were active already: nothing to tell them


def test_rejecting_deactivates_logs_and_emails_the_person_in_their_language(
    admin_client, admin_user, signups, sent_mail, settings
):
    settings.SIGNUP_CONTACT_EMAIL = "help@example.org"
    minji, seojun, amelia = signups
    Profile.objects.filter(user=amelia).update(language="ko")
    page = run_action(admin_client, "reject_selected", [amelia]).content.decode()
    assert "Are you sure you want to reject this user?" in page and 'value="Yes, reject"' in page
    assert re.search(r'<input type="checkbox" name="notify"[^>]* checked', page)

    response = run_action(admin_client, "reject_selected", [amelia], post="yes", note="Spam?", notify="on")
    assert response.status_code == 302
    assert "Rejected 1 signup." in admin_client.get(CHANGELIST).content.decode()
    amelia.refresh_from_db()
    assert amelia.profile.review_status == ReviewStatus.REJECTED and not amelia.is_active
    assert amelia.profile.reviewed_by == admin_user and amelia.profile.review_note == "Spam?"
    entry = LogEntry.objects.get()
    assert entry.object_id == str(amelia.pk)
    assert entry.change_message == "Review status changed from Pending to Rejected. Note: Spam?"
    [message] = sent_mail()
    assert message.to == [amelia.email]
    assert message.subject == "[Maru] 가입 검토 결과 안내"
    assert "help@example.org" in message.body and "amelia" in message.body
    assert "Spam?" not in message.body + message.alternatives[0].content
    assert not can_log_in("amelia")


def test_rejecting_with_the_box_unticked_emails_nobody(admin_client, signups, sent_mail):
    minji, seojun, amelia = signups
    run_action(admin_client, "reject_selected", [amelia, seojun], post="yes", note="")
    assert Profile.objects.filter(review_status=ReviewStatus.REJECTED).count() == 2
    assert sent_mail() == []
    assert not DBTaskResult.objects.exists()


def test_users_who_already_have_the_status_are_left_alone_and_counted(admin_client, admin_user, signups):
    minji, seojun, amelia = signups
    review_signups(users=[minji], status=ReviewStatus.APPROVED, reviewer=admin_user)
    run_action(admin_client, "approve_selected", [minji, seojun, admin_user], post="yes")
    page = admin_client.get(CHANGELIST).content.decode()
    assert "Approved 1 signup." in page
    assert "2 selected users were left as they were" in page
    assert LogEntry.objects.filter(object_id=str(minji.pk)).count() == 1  # only the first decision


def test_a_note_that_is_too_long_is_refused_and_nothing_changes(admin_client, signups):
    response = run_action(admin_client, "reject_selected", signups[:1], post="yes", note="x" * 1001)
    assert response.status_code == 200
    assert "Ensure this value has at most 1000 characters" in response.content.decode()
    assert Profile.objects.filter(review_status=ReviewStatus.REJECTED).count() == 0
    assert LogEntry.objects.count() == 0


def test_running_an_action_with_nothing_selected_explains_itself(admin_client, signups):
    response = admin_client.post(CHANGELIST, {"action": "approve_selected", "index": "0"}, follow=True)
    assert response.status_code == 200
    assert "Items must be selected in order to perform actions on them." in response.content.decode()


def test_the_change_page_offers_approve_and_reject_through_the_same_confirmation(admin_client, signups):
    minji = signups[0]
    page = admin_client.get(f"{CHANGELIST}{minji.pk}/change/").content.decode()
    assert 'value="approve_selected"' in page and 'value="reject_selected"' in page
    assert f'action="{CHANGELIST}"' in page
    # The change page's buttons post just this: the action and the one user.
    response = admin_client.post(CHANGELIST, {"action": "approve_selected", "_selected_action": minji.pk})
    assert "Are you sure you want to approve this user?" in response.content.decode()


def test_the_change_page_shows_the_profile_answers_and_the_review(admin_client, admin_user, signups):
    minji = signups[0]
    review_signups(users=[minji], status=ReviewStatus.APPROVED, reviewer=admin_user, note="Looks fine.")
    page = admin_client.get(f"{CHANGELIST}{minji.pk}/change/").content.decode()
    for answer in ('value="김민지"', 'value="민지"', 'value="+82 10 1234 5678"', "Approved", "Looks fine."):
        assert answer in page, answer
    assert 'value="approve_selected"' not in page  # already approved: only Reject is offered
    assert 'value="reject_selected"' in page


# Who may decide --------------------------------------------------------------


def test_staff_without_the_review_permission_can_read_but_not_decide(client, signups):
    staff = staff_client(client, "onboarding.view_user", "onboarding.change_user", "onboarding.view_profile")
    minji = signups[0]

    response = client.get(CHANGELIST)
    assert response.status_code == 200 and "minji" in listed(response)
    page = response.content.decode()
    assert "Approve selected users" not in page and "Reject selected users" not in page
    assert "Export selected users to CSV" in page

    run_action(client, "approve_selected", [minji], post="yes")
    minji.refresh_from_db()
    assert minji.profile.review_status == ReviewStatus.PENDING
    assert LogEntry.objects.count() == 0

    change_page = client.get(f"{CHANGELIST}{minji.pk}/change/").content.decode()
    assert "김민지" in change_page
    assert 'value="approve_selected"' not in change_page
    assert 'name="is_active"' not in change_page  # activating an account is a review decision

    with pytest.raises(PermissionDenied):
        review_signups(users=[minji], status=ReviewStatus.APPROVED, reviewer=staff)


def test_staff_with_the_review_permission_can_decide(client, signups):
    staff_client(client, "onboarding.view_user", "onboarding.review_signup")
    assert "Approve selected users" in client.get(CHANGELIST).content.decode()
    run_action(client, "reject_selected", signups[1:2], post="yes")
    assert Profile.objects.get(user=signups[1]).review_status == ReviewStatus.REJECTED


# Export ------------------------------------------------------------------------


def export_bytes(response):
    assert response.streaming, "the export is streamed, not built in memory"
    return b"".join(response.streaming_content)


def read_export(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="signups-')
    return list(csv.DictReader(io.StringIO(export_bytes(response).decode("utf-8-sig"))))


@pytest.mark.argon2
def test_export_has_the_selected_users_and_their_answers_but_no_password(admin_client, admin_user, signups):
    minji, seojun, amelia = signups
    review_signups(users=[seojun], status=ReviewStatus.APPROVED, reviewer=admin_user, note="ok")
    response = run_action(admin_client, "export_csv", [minji, seojun, admin_user], index="0")
    content = export_bytes(response)
    assert content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))

    by_username = {row["username"]: row for row in rows}
    assert len(rows) == 3 and set(by_username) == {"admin", "minji", "seojun"}
    admin_row, minji_row, seojun_row = by_username["admin"], by_username["minji"], by_username["seojun"]
    assert minji_row["real_name"] == "김민지" and minji_row["preferred_name"] == "민지"
    assert minji_row["phone"] == "'+82 10 1234 5678"  # a leading + would start a formula
    assert minji_row["review_status"] == "pending" and minji_row["is_active"] == "true"
    assert (seojun_row["review_status"], seojun_row["reviewed_by"], seojun_row["review_note"]) == (
        "approved",
        "admin",
        "ok",
    )
    assert seojun_row["email"] == "seojun@example.org"
    assert admin_row["real_name"] == ""  # no signup profile
    assert "password" not in rows[0]
    text = content.decode("utf-8-sig")
    for user in (minji, seojun, admin_user):
        user.refresh_from_db()
        assert user.password not in text
    assert "argon2" not in text and "pbkdf2" not in text


@pytest.mark.parametrize(
    "name",
    [
        "=HYPERLINK(\"http://evil.example\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1",
        # A spreadsheet that splits on ";" or "|" starts a cell after it (second review, finding 10).
        "Kim;=1+1", "Kim; =cmd|' /C calc'!A0", "Kim|@SUM(A1)", "Kim,+1", "Kim\n=1",
    ],
)  # fmt: skip
def test_export_defuses_cells_that_a_spreadsheet_would_run(admin_client, name):
    user = make_signup("tricky", name)
    response = run_action(admin_client, "export_csv", [user], index="0")
    content = export_bytes(response).decode("utf-8-sig")
    row = list(csv.DictReader(io.StringIO(content)))[0]
    assert row["real_name"] == "'" + name
    # Quoted, so a reader splitting on ";" keeps the cell whole.
    assert "\"'" + name.replace('"', '""') + '"' in content


# Adding and changing users -----------------------------------------------------


@pytest.mark.argon2
def test_adding_a_user_in_the_admin_needs_an_email_and_stores_only_a_hash(admin_client):
    form = {"username": "newstaff", "usable_password": "true", "password1": PASSWORD, "password2": PASSWORD}
    response = admin_client.post(f"{CHANGELIST}add/", form)
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not User.objects.filter(username="newstaff").exists()

    response = admin_client.post(f"{CHANGELIST}add/", {**form, "email": "New.Staff@Example.com"})
    assert response.status_code == 302
    user = User.objects.get(username="newstaff")
    assert user.email == "New.Staff@example.com"
    assert user.password.startswith("argon2$") and check_password(PASSWORD, user.password)


def test_adding_a_user_whose_email_or_username_differs_only_in_case_is_refused(admin_client, signups):
    form = {"usable_password": "true", "password1": PASSWORD, "password2": PASSWORD}
    page = admin_client.post(f"{CHANGELIST}add/", {**form, "username": "other", "email": "MINJI@example.com"})
    assert "A user with that email address already exists." in page.content.decode()
    page = admin_client.post(f"{CHANGELIST}add/", {**form, "username": "MinJi", "email": "new@example.com"})
    assert "A user with that username already exists." in page.content.decode()
    assert User.objects.count() == 4


@pytest.mark.argon2
def test_the_change_page_shows_a_hash_summary_never_the_hash(admin_client, signups):
    minji = signups[0]
    page = admin_client.get(f"{CHANGELIST}{minji.pk}/change/").content.decode()
    assert "algorithm" in page and "argon2" in page
    assert minji.password not in page
    assert minji.password.split("$")[-1] not in page  # not even the hash part
    assert "Reset password" in page


def test_changing_a_users_email_to_another_users_is_refused_plainly(admin_client, signups):
    minji, seojun, _ = signups
    data = {
        "username": "minji",
        "email": "SEOJUN@example.org",
        "is_active": "on",
        "date_joined_0": "2025-01-01",
        "date_joined_1": "10:00:00",
        "profile-TOTAL_FORMS": "1",
        "profile-INITIAL_FORMS": "1",
        "profile-MIN_NUM_FORMS": "0",
        "profile-MAX_NUM_FORMS": "1",
        "profile-0-id": minji.profile.pk,
        "profile-0-user": minji.pk,
        "profile-0-real_name": "김민지",
    }
    response = admin_client.post(f"{CHANGELIST}{minji.pk}/change/", data)
    assert response.status_code == 200
    assert "A user with that email address already exists." in response.content.decode()
    minji.refresh_from_db()
    assert minji.email == "minji@example.com"


# Approval mode, end to end -------------------------------------------------------


def test_with_approval_required_a_signup_waits_is_approved_and_emailed(
    settings, signup, client, admin_user, sent_mail
):
    settings.SIGNUP_REQUIRES_APPROVAL = True
    signup(until="done")

    user = User.objects.get(username="minji")
    assert not user.is_active and user.profile.review_status == ReviewStatus.PENDING
    assert SESSION_KEY not in client.session
    done = client.get("/signup/done/").content.decode()
    assert "awaiting review" in done and "You cannot log in until it has been approved." in done
    for detail in ("minji", "Kim Minji", "minji@example.com"):
        assert detail in done
    assert "Logged in as" not in done
    assert not can_log_in("minji")

    client.force_login(admin_user)
    run_action(client, "approve_selected", [user], post="yes")
    assert "Approved 1 signup." in client.get(CHANGELIST).content.decode()
    user.refresh_from_db()
    assert user.is_active and user.profile.review_status == ReviewStatus.APPROVED

    assert mail.outbox == []  # queued for the worker, not sent in the request
    confirm_address, email = sent_mail()
    assert confirm_address.subject == "Confirm your email address for Maru"
    assert email.to == ["minji@example.com"]
    assert email.subject == "Your Maru account has been approved"
    assert "Hello Minji," in email.body
    assert '"minji" on Maru has been approved' in email.body
    assert "http://testserver/login/" in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html" and 'href="http://testserver/login/"' in html
    assert PASSWORD not in email.body and PASSWORD not in html
    assert can_log_in("minji")


def test_with_approval_required_rejecting_keeps_the_account_inactive(settings, signup, client, admin_user):
    settings.SIGNUP_REQUIRES_APPROVAL = True
    signup(until="done")
    client.force_login(admin_user)
    user = User.objects.get(username="minji")
    run_action(client, "reject_selected", [user], post="yes")
    user.refresh_from_db()
    assert not user.is_active and user.profile.review_status == ReviewStatus.REJECTED
    assert mail.outbox == []
    assert not can_log_in("minji")


def test_without_approval_a_new_signup_is_active_and_pending(signup):
    signup(until="done")
    user = User.objects.get(username="minji")
    assert user.is_active and user.profile.review_status == ReviewStatus.PENDING


def test_a_mail_server_failure_keeps_the_approval_and_queues_the_mail_again(settings, admin_client, sent_mail):
    settings.SIGNUP_REQUIRES_APPROVAL = True
    # Nothing listens on port 1: a real connection failure.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 5
    user = make_signup("minji", "Kim Minji")
    run_action(admin_client, "approve_selected", [user], post="yes")
    page = admin_client.get(CHANGELIST).content.decode()
    assert "Approved 1 signup." in page
    assert sent_mail() == []
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.task_path == "onboarding.mail.queue.send_mail_to_users"
    assert retry.args_kwargs["args"][:2] == ["approved", [user.pk]] and retry.run_after > timezone.now()
    user.refresh_from_db()
    assert user.is_active and user.profile.review_status == ReviewStatus.APPROVED


def test_reviewers_see_who_confirmed_their_email_address_and_can_filter_by_it(admin_client, signups):
    confirmed = signups[0]
    User.objects.filter(pk=confirmed.pk).update(email_verified_at=timezone.now())
    page = admin_client.get(CHANGELIST).content.decode()
    assert "Email confirmed" in page and "email_confirmed=yes" in page
    yes = admin_client.get(CHANGELIST + "?email_confirmed=yes").content.decode()
    no = admin_client.get(CHANGELIST + "?email_confirmed=no").content.decode()
    assert confirmed.username in yes and confirmed.username not in no
    assert signups[1].username in no and signups[1].username not in yes
    confirmation = run_action(admin_client, "approve_selected", [confirmed, signups[1]]).content.decode()
    assert "(email confirmed)" in confirmation and "(email not confirmed)" in confirmation
