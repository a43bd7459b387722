"""The review queue: how many wait, deciding and moving on to the next, the list kept as filtered, the site's name."""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onboarding.models import ReviewStatus, User
from onboarding.review import site as admin_site
from onboarding.review.services import review_signups
from tests.test_admin import CHANGELIST, listed, make_signup, staff_client

pytestmark = pytest.mark.django_db

PENDING_FILTER = "profile__review_status__exact=pending"


def change_url(user):
    return f"{CHANGELIST}{user.pk}/change/"


@pytest.fixture
def queue(admin_user):
    """Four pending signups, newest first, and one already approved."""
    people = [
        make_signup(name, name.title(), days_ago=days)
        for name, days in [("dana", 1), ("cho", 2), ("bora", 3), ("ahn", 4)]
    ]
    approved = make_signup("done", "Done Already", days_ago=5)
    review_signups(users=[approved], status=ReviewStatus.APPROVED, reviewer=admin_user)
    return people


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_index_and_every_header_show_how_many_await_review_linking_to_them(admin_client, queue):
    index = text(admin_client.get("/admin/"))
    link = f'href="{CHANGELIST}?{PENDING_FILTER}"'
    assert f'<a class="pending-queue" {link}>4 signups await review</a>' in index  # the header
    assert f"<h2>Review queue</h2> <p> <a {link}>4 signups await review</a>" in index  # the index's own module
    users_page = text(admin_client.get(CHANGELIST))
    assert f'<a class="pending-queue" {link}>4 signups await review</a>' in users_page
    assert listed(admin_client.get(f"{CHANGELIST}?{PENDING_FILTER}")) == ["dana", "cho", "bora", "ahn"]


def test_the_pending_count_is_one_bounded_query(admin_client, queue, monkeypatch):
    monkeypatch.setattr(admin_site, "PENDING_COUNT_CAP", 3)
    with CaptureQueriesContext(connection) as queries:
        page = text(admin_client.get("/admin/"))
    assert "3+ signups await review" in page
    counting = [query["sql"] for query in queries.captured_queries if "COUNT" in query["sql"].upper()]
    assert len(counting) == 1 and "LIMIT 4" in counting[0]


def test_approve_and_open_next_decides_logs_and_opens_the_next_pending_signup(
    admin_client, admin_user, queue, mailoutbox
):
    dana, cho, bora, ahn = queue
    page = text(admin_client.get(f"{change_url(dana)}?_changelist_filters={PENDING_FILTER.replace('=', '%3D')}"))
    assert "Approve and open next" in page and "Reject and open next" in page

    response = admin_client.post(
        f"{CHANGELIST}{dana.pk}/review/", {"decision": "approve", "_changelist_filters": PENDING_FILTER}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{change_url(cho)}?_changelist_filters=profile__review_status__exact%3Dpending"
    dana.refresh_from_db()
    assert dana.profile.review_status == ReviewStatus.APPROVED and dana.profile.reviewed_by == admin_user
    assert LogEntry.objects.filter(object_id=str(dana.pk)).count() == 1
    assert "Approved 1 signup." in text(admin_client.get(response["Location"]))

    # Reject asks first, on the list action's page: nothing changes, nobody is mailed, until confirmed.
    asked = admin_client.post(f"{CHANGELIST}{cho.pk}/review/", {"decision": "reject"})
    assert asked.status_code == 200
    page = text(asked)
    assert "Are you sure you want to reject this user?" in page and "Note (optional)" in page
    assert "Email each person to say their signup was not approved" in page
    cho.refresh_from_db()
    assert cho.profile.review_status == ReviewStatus.PENDING and mailoutbox == []

    response = admin_client.post(
        f"{CHANGELIST}{cho.pk}/review/", {"decision": "reject", "post": "yes", "note": "Spam.", "notify": ""}
    )
    assert response["Location"] == change_url(bora)
    cho.refresh_from_db()
    assert cho.profile.review_status == ReviewStatus.REJECTED and not cho.is_active
    assert cho.profile.review_note == "Spam."
    assert mailoutbox == []  # the reviewer chose not to mail


def test_after_the_oldest_it_goes_back_to_the_newest_and_after_the_last_to_the_filtered_list(
    admin_client, admin_user, queue
):
    dana, cho, bora, ahn = queue
    review_signups(users=[cho, bora], status=ReviewStatus.APPROVED, reviewer=admin_user)
    response = admin_client.post(f"{CHANGELIST}{ahn.pk}/review/", {"decision": "approve"})
    assert response["Location"] == change_url(dana)
    response = admin_client.post(
        f"{CHANGELIST}{dana.pk}/review/", {"decision": "approve", "_changelist_filters": PENDING_FILTER}
    )
    assert response["Location"] == f"{CHANGELIST}?{PENDING_FILTER}"
    followed = admin_client.get(response["Location"])
    assert "No more signups await review." in text(followed)
    assert listed(followed) == []


def test_the_list_keeps_its_filter_after_an_action(admin_client, queue):
    dana, cho, bora, ahn = queue
    filtered = f"{CHANGELIST}?{PENDING_FILTER}"
    response = admin_client.post(
        filtered, {"action": "approve_selected", "_selected_action": [dana.pk], "post": "yes", "index": "0"}
    )
    assert response.status_code == 302 and response["Location"] == filtered
    assert listed(admin_client.get(filtered)) == ["cho", "bora", "ahn"]
    # From a user's page the list's actions post back to the list as it was filtered.
    page = text(admin_client.get(f"{change_url(cho)}?_changelist_filters=profile__review_status__exact%3Dpending"))
    assert f'<form method="post" action="{CHANGELIST}?{PENDING_FILTER}" class="review-actions">' in page


def test_selecting_all_of_a_filtered_list_decides_every_match_and_lists_only_a_few(admin_client, queue, monkeypatch):
    monkeypatch.setattr("onboarding.review.users.LISTED_IN_CONFIRMATION", 2)
    filtered = f"{CHANGELIST}?{PENDING_FILTER}"
    data = {"action": "approve_selected", "_selected_action": [queue[0].pk], "select_across": "1", "index": "0"}
    confirmation = text(admin_client.post(filtered, data))
    assert "Are you sure you want to approve these 4 users?" in confirmation
    assert "The first 2 of 4 are listed." in confirmation
    assert 'name="select_across" value="1"' in confirmation
    response = admin_client.post(filtered, {**data, "post": "yes"})
    assert response["Location"] == filtered
    assert not User.objects.filter(profile__review_status=ReviewStatus.PENDING).exists()
    assert LogEntry.objects.filter(change_message__contains="to Approved").count() == 5  # 4 now, 1 before


def test_an_account_without_a_signup_profile_shows_no_review_block(admin_client, admin_user, queue):
    page = text(admin_client.get(change_url(admin_user)))
    assert "Review status" not in page and "Full name" not in page
    assert "Approve and open next" not in page and 'class="review-actions"' not in page
    assert admin_client.post(f"{CHANGELIST}{admin_user.pk}/review/", {"decision": "approve"}).status_code == 404


def test_staff_without_the_review_permission_are_not_offered_and_cannot_use_open_next(client, queue):
    staff_client(client, "onboarding.view_user")
    dana = queue[0]
    page = text(client.get(change_url(dana)))
    assert "4 signups await review" in page  # they may see the queue
    assert "Approve and open next" not in page
    assert client.post(f"{CHANGELIST}{dana.pk}/review/", {"decision": "approve"}).status_code == 403
    assert client.get(f"{CHANGELIST}{dana.pk}/review/").status_code == 405
    dana.refresh_from_db()
    assert dana.profile.review_status == ReviewStatus.PENDING


def test_a_forged_decision_is_refused_and_changes_nothing(admin_client, queue):
    response = admin_client.post(f"{CHANGELIST}{queue[0].pk}/review/", {"decision": "pending"})
    assert response.status_code == 403
    assert User.objects.filter(profile__review_status=ReviewStatus.PENDING).count() == 4


def test_staff_who_may_not_see_users_get_no_queue_link(client, queue):
    staff_client(client)
    page = text(client.get("/admin/"))
    assert "await review" not in page


@pytest.mark.parametrize(
    "language, header, title",
    [
        ("en", "Hanbit administration", "Site administration"),
        ("ko", "Hanbit 관리", "사이트 관리"),
    ],
)
def test_the_admin_carries_the_sites_name_in_both_languages(admin_client, settings, language, header, title):
    settings.SITE_NAME = "Hanbit"
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = text(admin_client.get("/admin/"))
    assert f'<div id="site-name"><a href="/admin/">{header}</a></div>' in page
    assert "Django" not in re.sub(r"<(script|link)[^>]*>", "", page.split("<body")[1]).replace("djangojs", "")


def test_the_admin_carries_the_sites_name(admin_client):
    page = text(admin_client.get("/admin/"))
    assert '<div id="site-name"><a href="/admin/">Maru administration</a></div>' in page
    assert "<title>Review and reports | Maru admin</title>" in page


def test_list_pages_count_exactly_when_small_with_no_full_table_count(admin_client, queue):
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(CHANGELIST, {"q": "Cho"})
    assert listed(response) == ["cho"]
    assert '1 result (<a href="?">Show all</a>)' in text(response)
    counts = [query["sql"] for query in queries.captured_queries if "COUNT(" in query["sql"].upper()]
    assert counts and all("LIMIT" in sql for sql in counts), counts


def test_next_pending_follows_the_lists_order_when_two_joined_at_the_same_moment(admin_client, admin_user):
    moment = timezone.now() - timedelta(hours=1)
    first, second = make_signup("twin1", "Twin One"), make_signup("twin2", "Twin Two")
    User.objects.filter(pk__in=[first.pk, second.pk]).update(date_joined=moment)
    response = admin_client.post(f"{CHANGELIST}{second.pk}/review/", {"decision": "approve"})
    assert response["Location"] == change_url(first)
