"""The signup funnel: exact counts after scripted signups, abandonments and errors; the page, its chart and tables."""

import datetime
import html
import re
import threading

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onboarding import funnel
from onboarding.funnel import report, store
from onboarding.models import FunnelDay, FunnelMark, User
from onboarding.review.services import review_signups
from tests.conftest import ACCOUNT, PASSWORD, PROFILE, step_data, walk_wizard
from tests.test_admin import staff_client

pytestmark = pytest.mark.django_db

FUNNEL = "/admin/onboarding/funnelday/"


def forget_funnel_counts():
    """Delete the funnel's keys only: with Redis the cache also holds sessions, other tests' among them."""
    client = store._redis()
    if client is None:
        cache.clear()
        FunnelDay.objects.all().delete()
        return
    keys = list(client.scan_iter(match=cache.make_key("funnel:*")))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def empty_cache():
    forget_funnel_counts()
    yield
    forget_funnel_counts()


def person(language="en"):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.get("/signup/")
    return client


def finish(client, username):
    walk_wizard(client, account={**ACCOUNT, "username": username, "email": f"{username}@example.com"})
    assert client.get("/signup/confirm/").status_code == 200
    client.get("/signup/confirm/")  # a reload counts once
    assert client.post("/signup/confirm/", step_data("confirm", accept_terms="on")).status_code == 302


@pytest.fixture
def scripted():
    """Five people: two finish (one in Korean), one stops at the profile after two errors, one stops at the
    account step after an error, one only opens the wizard (and is not counted: finding 8)."""
    finish(person(), "minji")
    finish(person("ko"), "seojun")

    stops_at_profile = person()
    bad = {**ACCOUNT, "username": "", "password2": "something else"}
    assert stops_at_profile.post("/signup/account/", step_data("account", **bad)).status_code == 200
    account = {**ACCOUNT, "username": "amelia", "email": "amelia@example.com"}
    assert stops_at_profile.post("/signup/account/", step_data("account", **account)).status_code == 302
    stops_at_profile.post("/signup/account/", step_data("account", **account))  # pressed twice: counted once
    assert stops_at_profile.post("/signup/profile/", step_data("profile", real_name="")).status_code == 200

    stops_at_account = person()
    taken = {**ACCOUNT, "username": "MINJI", "email": "other@example.com"}
    assert stops_at_account.post("/signup/account/", step_data("account", **taken)).status_code == 200

    person()  # opens the wizard and leaves


def numbers(response):
    page = re.sub(r"\s+", " ", response.content.decode())
    table = page.split('id="funnel-steps"')[1].split("</table>")[0]
    steps = dict(re.findall(r'<tr> ?<th scope="row">([^<]+)</th> ?<td>(\d+)</td>', table))
    return page, steps


def test_the_funnel_counts_each_step_once_per_wizard_and_the_drop_off(admin_client, scripted):
    response = admin_client.get(FUNNEL)
    assert response.status_code == 200
    page, steps = numbers(response)
    assert steps == {
        "Wizards started": "4",  # people who sent an answer, not visits
        "Account step done": "3",
        "Profile step done": "2",
        "Confirm step reached": "2",
        "Accounts created": "2",
        "Emails confirmed": "0",  # User.email_verified_at exists; the confirming flow counts through funnel.record
        "Approved": "0",
        "Rejected": "0",
    }
    # Stopped before the step, and the share of those who reached the step before.
    assert '<th scope="row">Account step done</th> <td>3</td> <td>1</td> <td>25.0%</td>' in page
    assert '<th scope="row">Profile step done</th> <td>2</td> <td>1</td> <td>33.3%</td>' in page
    assert '<th scope="row">Accounts created</th> <td>2</td> <td>0</td> <td>0.0%</td>' in page


def test_errors_are_counted_by_field_and_code(admin_client, scripted):
    page = html.unescape(admin_client.get(FUNNEL).content.decode())
    rows = re.findall(
        r"<tr><td>[^<]+<code>([^<]+)</code></td><td>[^<]+<code>([^<]+)</code></td><td>(\d+)</td></tr>", page
    )
    # Named for people, with the code beside it for whoever reads the logs.
    assert "<td>Account: Password <code>account-password1</code></td>" in page or "account-password1" not in page
    assert "<td>Account: Confirm password <code>account-password2</code></td>" in page
    assert "<td>The two passwords differ <code>password_mismatch</code></td>" in page
    assert "<td>Profile: Full name <code>profile-real_name</code></td>" in page
    assert sorted(rows) == [
        ("account-email", "email_taken", "1"),  # the first try used an address taken by then
        ("account-password2", "password_mismatch", "1"),
        ("account-username", "required", "1"),
        ("account-username", "username_taken", "1"),
        ("profile-real_name", "required", "1"),
    ]


def test_the_chart_and_its_table_show_the_same_numbers_and_the_languages(admin_client, scripted):
    page = admin_client.get(FUNNEL + "?days=30").content.decode()
    bars = re.findall(r'<rect [^>]*data-day="([\d-]+)" data-count="(\d+)"', page)
    table = re.findall(r'<th scope="row" data-day="([\d-]+)">[^<]+</th><td>(\d+)</td>', page)
    assert len(bars) == 30 and bars == table
    assert bars[-1] == (timezone.localdate().isoformat(), "2")
    assert sum(int(count) for _, count in bars) == 2
    assert "<script" not in page.split('id="per-day-chart"')[1].split("</svg>")[0]
    flat = re.sub(r"\s+", " ", page)
    assert '<th scope="row">English</th><td>1</td><td>50.0%</td>' in flat
    assert '<th scope="row">Korean</th><td>1</td><td>50.0%</td>' in flat
    assert 'aria-current="page" class="selected">Last 30 days</a>' in flat


def test_nothing_recorded_identifies_a_person(scripted):
    recorded = repr(store.read(timezone.localdate())) + repr(list(FunnelDay.objects.values()))
    for private in ("minji", "seojun", "amelia", "example.com", PASSWORD, PROFILE["real_name"], PROFILE["phone"]):
        assert private.lower() not in recorded.lower(), private
    for (event, language, _field, _code), _count in store.read(timezone.localdate()).items():
        assert event in {"started", "account", "profile", "confirm", "created", "error", "duration", "risk"}
        assert language in {"en", "ko", ""}


@pytest.mark.redis
def test_counting_a_step_costs_no_database_query():
    with CaptureQueriesContext(connection) as queries:
        funnel.record("started")
        funnel.step_done("some-wizard", "account")
        funnel.reached("some-wizard", "confirm", "confirm")
    assert queries.captured_queries == []
    assert store.read(timezone.localdate())[("account", "en", "", "")] == 1


@pytest.mark.django_db(transaction=True)  # real commits: the transactions themselves are counted
def test_without_redis_a_step_counts_in_one_transaction_with_its_mark_and_once_until_the_mark_expires():
    if store._redis() is not None:
        pytest.skip("with Redis the counts and marks are Redis keys")
    with CaptureQueriesContext(connection) as queries:
        funnel.step_done("some-wizard", "account")
    assert [query["sql"].split()[0] for query in queries.captured_queries] == ["BEGIN", "INSERT", "INSERT", "COMMIT"]
    funnel.step_done("some-wizard", "account")
    assert store.read(timezone.localdate())[("account", "en", "", "")] == 1
    FunnelMark.objects.update(expires=timezone.now())  # as long as a session may hold the wizard, then over
    funnel.step_done("some-wizard", "account")
    assert store.read(timezone.localdate())[("account", "en", "", "")] == 2


def test_the_time_to_create_an_account_is_shown_as_median_and_90th_percentile(admin_client, scripted):
    page = re.sub(r"\s+", " ", admin_client.get(FUNNEL).content.decode())
    assert "Timed over 2 signups." in page
    assert "Median: at most 30 seconds" in page and "90th percentile: at most 30 seconds" in page


@pytest.mark.redis
def test_finished_days_are_rolled_up_into_the_database_and_still_shown(admin_client):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    store.add(yesterday, ("started", "en", "", ""), 7)
    store.add(yesterday, ("created", "ko", "", ""), 3)
    store.add(timezone.localdate(), ("started", "en", "", ""), 1)
    _page, steps = numbers(admin_client.get(FUNNEL))
    assert steps["Wizards started"] == "8" and steps["Accounts created"] == "3"
    assert set(FunnelDay.objects.values_list("event", "count")) == {("started", 7), ("created", 3)}
    assert store.days() == [timezone.localdate()]
    forget_funnel_counts()  # a flushed cache loses today's counts only
    _page, steps = numbers(admin_client.get(FUNNEL))
    assert steps["Wizards started"] == "7"


def test_the_rebuild_command_counts_past_days_from_the_database(admin_user):
    from tests.test_admin import make_signup

    make_signup("early", "Early Bird", days_ago=2)
    make_signup("earlier", "Earlier Bird", days_ago=3)
    make_signup("today", "Today Person")
    FunnelDay.objects.create(day=timezone.localdate() - datetime.timedelta(days=2), event="created", count=99)
    call_command("rebuild_funnel", stdout=open("/dev/null", "w"))
    created = dict(FunnelDay.objects.filter(event="created").values_list("day", "count"))
    assert sorted(created.values()) == [1, 1]
    assert timezone.localdate() not in created


def test_a_step_counting_more_than_the_one_before_shows_no_negative_drop_off(admin_client, admin_user):
    from tests.test_admin import make_signup

    # Rebuilt from the database, which knows accounts but not the wizards that made them.
    make_signup("early", "Early Bird", days_ago=2)
    call_command("rebuild_funnel", stdout=open("/dev/null", "w"))
    page, steps = numbers(admin_client.get(FUNNEL))
    assert steps["Confirm step reached"] == "0" and steps["Accounts created"] == "1"
    created = page.split('<th scope="row">Accounts created</th>')[1].split("</tr>")[0]
    assert re.findall(r"<td>([^<]*)</td>", created) == ["1", "–", "–"]
    assert "<td>-" not in page


def test_only_staff_who_may_review_see_the_funnel(client, admin_client):
    assert f'href="{FUNNEL}"' in admin_client.get("/admin/").content.decode()
    assert ">Signup funnel</a>" in admin_client.get("/admin/").content.decode()
    staff_client(client, "onboarding.view_user")
    assert f'href="{FUNNEL}"' not in client.get("/admin/").content.decode()
    assert client.get(FUNNEL).status_code == 403


def test_an_unknown_period_shows_the_last_7_days(admin_client):
    for days in ("365", "abc", "-1"):
        response = admin_client.get(FUNNEL, {"days": days})
        assert response.status_code == 200
        assert 'aria-current="page" class="selected">Last 7 days</a>' in response.content.decode()


def test_approvals_and_rejections_are_counted(admin_client, admin_user):
    from tests.test_admin import make_signup

    people = [make_signup(f"p{number}", f"Person {number}") for number in range(3)]
    review_signups(users=people[:2], status="approved", reviewer=admin_user)
    review_signups(users=people[2:], status="rejected", reviewer=admin_user)
    _page, steps = numbers(admin_client.get(FUNNEL))
    assert (steps["Approved"], steps["Rejected"]) == ("2", "1")
    assert User.objects.count() == 4


@pytest.mark.redis  # without Redis each count is a database write, on purpose (shared by every worker)
@pytest.mark.django_db(transaction=True)
def test_the_counting_pass_shows_the_same_queries_per_request_with_the_funnel_recording(monkeypatch, settings):
    from bench.counts import count_signup

    settings.SESSION_ENGINE = "onboarding.infra.db_sessions"
    # The first signup from a domain also notes the domain as seen (review/risk.py): one insert the later
    # signups do not make. Both counted signups come after it.
    count_signup("first_from_the_domain")
    recording = [(row["request"], row["queries"], row["status"]) for row in count_signup("counted_on")]
    assert store.read(timezone.localdate())[("created", "en", "", "")] == 2  # it did record
    for name in ("start", "step_done", "reached", "step_errors", "created"):
        monkeypatch.setattr(funnel, name, lambda *args, **kwargs: None)
    silent = [(row["request"], row["queries"], row["status"]) for row in count_signup("counted_off")]
    assert recording == silent


def test_a_confirmed_email_counts_once_in_the_funnel(
    admin_client, signup, client, sent_mail, django_capture_on_commit_callbacks
):
    signup(until="done")
    [message] = sent_mail()
    link = re.search(r"https?://[^/\s]+(/email/confirm/[^\s\"<>]+)", message.body).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link)
        client.post(link)  # a second press confirms nothing more
    page, steps = numbers(admin_client.get(FUNNEL))
    assert steps["Accounts created"] == "1"
    assert steps["Emails confirmed"] == "1"


def run_together(count, work):
    """`work()` in `count` threads released at once; each closes its own database connection."""
    barrier = threading.Barrier(count, timeout=20)
    errors = []

    def run():
        try:
            barrier.wait()
            work()
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads) and errors == []


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_eight_workers_rolling_up_a_finished_day_at_once_count_it_once():
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    store.add(yesterday, ("created", "en", "", ""), 100)
    run_together(8, store.roll_up_past_days)
    assert FunnelDay.objects.get(day=yesterday, event="created").count == 100
    store.add(yesterday, ("created", "en", "", ""), 5)  # a count that came in late is rolled up next time
    run_together(8, store.roll_up_past_days)
    assert FunnelDay.objects.get(day=yesterday, event="created").count == 105
    assert store.days() == []


@pytest.mark.django_db(transaction=True)
def test_counts_from_many_workers_at_once_all_land_in_one_shared_count():
    # Without Redis they are database rows every worker shares; with it, one hash in Redis.
    run_together(8, lambda: [funnel.record("started") for _ in range(10)])
    assert store.read(timezone.localdate())[("started", "en", "", "")] == 80


@pytest.mark.parametrize("days", [1, 7, 30, 90])
def test_the_chart_has_axes_labels_and_readable_bars_at_any_number_of_days(days):
    per_day = [
        {"day": timezone.localdate() - datetime.timedelta(days=days - 1 - offset), "count": offset % 3}
        for offset in range(days)
    ]
    per_day[-1]["count"] = 250
    drawn = report.chart(per_day)
    assert len(drawn["bars"]) == days
    assert all(bar["width"] <= report.MAX_BAR for bar in drawn["bars"])  # one day is a bar, not a block
    assert all(bar["height"] >= 2 for bar in drawn["bars"] if bar["count"])  # 1 of 250 still shows
    assert 1 <= len(drawn["labels"]) <= 9
    assert [tick["value"] for tick in drawn["ticks"]] == [0, 250, 500]
    xs = [label["x"] for label in drawn["labels"]]
    assert all(b - a >= 60 for a, b in zip(xs, xs[1:])), "labels overlap"


@pytest.mark.django_db
def test_a_korean_signup_late_in_the_site_day_is_counted_on_the_site_day_not_seoul_s():
    # 16:00 UTC is 01:00 the next day in Seoul, where a Korean page runs; the funnel's days are the site's.
    with time_machine.travel(datetime.datetime(2026, 12, 1, 16, 0, tzinfo=datetime.UTC), tick=False):
        finish(person("ko"), "seojun")
    counted = store.read(datetime.date(2026, 12, 1)) | {
        (row.event, row.language, row.field, row.code): row.count
        for row in FunnelDay.objects.filter(day=datetime.date(2026, 12, 1))
    }
    assert counted.get(("created", "ko", "", "")) == 1
    assert not store.read(datetime.date(2026, 12, 2)) and not FunnelDay.objects.filter(day="2026-12-02").exists()
