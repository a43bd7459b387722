"""A signup's risk: each signal, the level and reasons stored by the wizard, the admin's column, filter and sort,
the reasons in both languages, an expired confirmation link, and the funnel by risk."""

import re
import secrets
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from onboarding.models import EmailDomain, Profile, RiskLevel, User
from onboarding.review import risk
from tests.conftest import ACCOUNT, step_data, walk_wizard
from tests.test_admin import CHANGELIST, listed, make_signup
from tests.test_admin_scale import index_names
from tests.test_email_verification import confirm_path
from tests.test_funnel import forget_funnel_counts

pytestmark = pytest.mark.django_db


def fresh_network():
    """A client address no other test (nor an earlier run sharing Redis's counters) has signed up from."""
    return f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.7"


def sign_up(username, *, address=None, seconds=60):
    """A signup through the wizard from `address`, "Create account" pressed `seconds` after it started."""
    client = Client(REMOTE_ADDR=address or fresh_network())
    with time_machine.travel(timezone.now(), tick=True) as clock:
        walk_wizard(client, account={**ACCOUNT, "username": username, "email": f"{username}@example.com"})
        clock.shift(seconds)
        assert client.post("/signup/confirm/", step_data("confirm", accept_terms="on")).status_code == 302
    return Profile.objects.get(user__username=username)


def set_risk(user, *reasons):
    risk.set_reasons(user.profile, reasons)
    user.profile.save(update_fields=["risk_reasons", "risk_level", "risk_rank"])
    return user


# The signals ----------------------------------------------------------------


def test_a_network_is_kept_as_a_keyed_hash_of_its_24_or_64():
    assert risk.network_hash("203.0.113.7") == risk.network_hash("203.0.113.200")
    assert risk.network_hash("203.0.113.7") != risk.network_hash("203.0.114.7")
    assert risk.network_hash("2001:db8:1:2::1") == risk.network_hash("2001:db8:1:2:ffff::9")
    assert risk.network_hash("2001:db8:1:2::1") != risk.network_hash("2001:db8:1:3::1")
    hashed = risk.network_hash("203.0.113.7")
    assert re.fullmatch(r"[0-9a-f]{32}", hashed) and "203" not in hashed
    assert risk.network_hash("") == ""


def test_the_network_hash_depends_on_the_secret_key(settings):
    before = risk.network_hash("203.0.113.7")
    settings.SECRET_KEY = "another secret key of the same good length, for this test only"
    assert risk.network_hash("203.0.113.7") != before


def test_many_signups_from_one_network_within_an_hour_are_flagged():
    network = risk.network_hash(fresh_network())
    now = 1_800_000_000
    flags = [risk.busy_network(network, now=now + minute * 60) for minute in range(risk.NETWORK_SIGNUPS)]
    assert flags == [False] * (risk.NETWORK_SIGNUPS - 1) + [True]
    # The next hour still counts the last one's signups, so a burst across the hour is seen...
    assert risk.busy_network(network, now=now + risk.NETWORK_WINDOW)
    # ...and a network quiet for two hours starts again.
    assert not risk.busy_network(network, now=now + 3 * risk.NETWORK_WINDOW)
    assert not risk.busy_network("", now=now)


def test_a_network_is_counted_for_the_whole_window_not_five_minutes_from_its_last_signup():
    # The database counters' incr() once wrote back with the cache's default timeout (5 minutes).
    network = risk.network_hash(fresh_network())
    now = int(timezone.now().timestamp())
    for minutes in range(risk.NETWORK_SIGNUPS - 1):
        with time_machine.travel(timezone.now() + timedelta(minutes=6 * minutes)):
            assert not risk.busy_network(network, now=now)
    with time_machine.travel(timezone.now() + timedelta(minutes=6 * risk.NETWORK_SIGNUPS)):
        assert risk.busy_network(network, now=now)


def test_a_signup_finished_faster_than_a_person_types_is_flagged():
    assert risk.too_fast(1000, now=1000 + risk.FASTEST_HUMAN_SECONDS - 1)
    assert not risk.too_fast(1000, now=1000 + risk.FASTEST_HUMAN_SECONDS)
    assert not risk.too_fast(None, now=1000)  # no start time (a "finish later" link): no flag


def test_a_newly_seen_and_a_throwaway_domain():
    assert risk.new_domain("a@Example.COM")  # and now it is seen
    assert not risk.new_domain("b@example.com")
    assert not risk.new_domain("c@EXAMPLE.com")
    assert EmailDomain.objects.filter(domain="example.com").count() == 1
    assert risk.throwaway_domain("x@mailinator.com")
    assert not risk.throwaway_domain("x@example.com")


def test_an_address_shaped_like_several_recent_ones_is_flagged():
    assert risk.local_shape("anna4821@example.com") == risk.local_shape("Boris7730@example.org") == "a9999"
    assert risk.local_shape("first.last@example.com") == ""  # names alone are how people write addresses
    series = [f"user{number:04d}@example.com" for number in range(risk.SAME_PATTERN)]
    assert risk.address_pattern("zed5150@example.com", series)
    assert not risk.address_pattern("zed5150@example.com", series[1:])
    assert not risk.address_pattern("zed51@example.com", series)  # a different number of digits


def test_the_level_follows_from_the_reasons_weights():
    assert risk.level_of([]) == RiskLevel.LOW
    assert risk.level_of(["new_domain"]) == RiskLevel.LOW
    assert risk.level_of(["too_fast"]) == RiskLevel.MEDIUM
    assert risk.level_of(["new_domain", "address_pattern"]) == RiskLevel.MEDIUM
    assert risk.level_of(["too_fast", "busy_network"]) == RiskLevel.HIGH
    assert risk.level_of(["unknown-code"]) == RiskLevel.LOW


# Through the wizard -----------------------------------------------------------


def test_a_signup_through_the_wizard_stores_its_level_and_reasons(client):
    first = sign_up("minji", seconds=5)  # the first example.com account, and a robot's speed
    assert (first.risk_level, first.risk_reasons, first.risk_rank) == ("medium", ["new_domain", "too_fast"], 1)
    second = sign_up("seojun", seconds=90)  # a person's pace, a domain seen before
    assert (second.risk_level, second.risk_reasons, second.risk_rank) == ("low", [], 0)


def test_a_scripted_series_from_one_network_is_high_risk(monkeypatch):
    monkeypatch.setattr(risk, "NETWORK_SIGNUPS", 3)
    monkeypatch.setattr(risk, "SAME_PATTERN", 2)
    address = fresh_network()
    profiles = [sign_up(f"bot{number}{number}{number}", address=address, seconds=3) for number in range(1, 4)]
    assert [profile.risk_level for profile in profiles] == ["medium", "medium", "high"]
    assert profiles[-1].risk_reasons == ["busy_network", "too_fast", "address_pattern"]
    # Nothing stored names the network: the profile holds codes only.
    assert address not in repr(list(Profile.objects.values()))


def test_an_expired_confirmation_link_adds_its_reason(signup, sent_mail):
    signup(until="done")
    [message] = sent_mail()
    profile = Profile.objects.get(user__username=ACCOUNT["username"])
    before = list(profile.risk_reasons)
    with time_machine.travel(timedelta(days=3, minutes=1)):
        assert Client().get(confirm_path(message.body)).status_code == 400
        Client().get(confirm_path(message.body))  # opened twice: one reason
    profile.refresh_from_db()
    assert profile.risk_reasons == [code for code in risk.REASONS if code in {*before, "confirmation_expired"}]
    assert profile.risk_level == risk.level_of(profile.risk_reasons)


def test_accounts_made_outside_the_wizard_are_low_with_no_reasons():
    user = make_signup("amelia", "Amelia Clarke")
    assert (user.profile.risk_level, user.profile.risk_reasons) == ("low", [])


# The admin ------------------------------------------------------------------


@pytest.fixture
def risky(db):
    set_risk(make_signup("calm", "Calm Person", days_ago=2))
    set_risk(make_signup("hasty", "Hasty Person", days_ago=1), "too_fast")
    set_risk(make_signup("botty", "Botty", days_ago=3), "too_fast", "busy_network")


def risk_column(response):
    """The Risk column's sort parameter, read off its header link."""
    page = response.content.decode()
    header = re.search(r'<th scope="col" class="sortable column-risk[^"]*">.*?href="\?o=([0-9.\-]+)"', page, re.S)
    return header.group(1).split(".")[0]  # the link keeps the list's current order after the column


def test_the_list_shows_a_risk_badge_in_words_and_filters_and_sorts_by_it(admin_client, risky):
    response = admin_client.get(CHANGELIST)
    page = re.sub(r"\s+", " ", response.content.decode())
    assert '<span class="risk-badge risk-high">High</span>' in page
    assert '<span class="risk-badge risk-medium">Medium</span>' in page
    assert '<span class="risk-badge risk-low">Low</span>' in page
    assert "By risk" in page
    assert listed(admin_client.get(CHANGELIST, {"profile__risk_level__exact": "high"})) == ["botty"]
    assert listed(admin_client.get(CHANGELIST, {"profile__risk_level__exact": "medium"})) == ["hasty"]
    column = risk_column(response)
    riskiest_first = admin_client.get(CHANGELIST, {"o": f"-{column}"})
    # Signups only: an account without a profile (the admin here) has no risk to sort by.
    assert listed(riskiest_first) == ["botty", "hasty", "calm"]
    assert listed(admin_client.get(CHANGELIST, {"o": column})) == ["calm", "hasty", "botty"]
    # The review queue: pending signups, riskiest first.
    queue = admin_client.get(CHANGELIST, {"profile__review_status__exact": "pending", "o": f"-{column}"})
    assert listed(queue) == ["botty", "hasty", "calm"]


def test_the_risk_column_costs_no_query_per_row(admin_client, risky):
    column = risk_column(admin_client.get(CHANGELIST))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(CHANGELIST, {"o": f"-{column}"}).status_code == 200
        return len(captured)

    few = queries()
    for number in range(20):
        set_risk(make_signup(f"person{number}", f"Person {number}", days_ago=number), "too_fast")
    assert queries() == few


def test_a_users_page_shows_the_reasons_in_words_in_both_languages(admin_client, risky):
    botty = User.objects.get(username="botty")
    url = f"{CHANGELIST}{botty.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert "Many signups came from the same network within an hour." in page
    assert "The signup was finished faster than a person can type it." in page
    calm = User.objects.get(username="calm")
    assert (
        "Nothing stood out when the account was made."
        in admin_client.get(f"{CHANGELIST}{calm.pk}/change/").content.decode()
    )
    with translation.override("ko"):
        korean = [str(reason) for reason in risk.described(botty.profile.risk_reasons)]
        assert str(RiskLevel.HIGH.label) != "High"
    assert all(re.search("[가-힣]", reason) for reason in korean)
    admin_client.cookies["django_language"] = "ko"
    page = admin_client.get(url, headers={"accept-language": "ko"}).content.decode()
    assert korean[0] in page


def ordered_plan(queryset):
    """PostgreSQL's plan with sequential scans and sorts off: a Sort left in it is one no index can spare."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
def test_on_postgresql_the_risk_sort_reads_an_index_in_order(admin_client, risky):
    column = risk_column(admin_client.get(CHANGELIST))
    for params in (
        {"o": f"-{column}"},
        {"o": column},
        {"o": f"-{column}", "profile__review_status__exact": "pending"},
    ):
        plan = ordered_plan(admin_client.get(CHANGELIST, params).context["cl"].queryset[:100])
        # The first page comes straight from the index, in order: at a million signups, no sort of them all.
        assert "profile_risk_rank_user_idx" in plan and "Sort" not in plan, plan
    assert any(name.startswith("onboarding_profile_risk_level") for name in index_names())


# The funnel -----------------------------------------------------------------


def test_the_funnel_counts_accounts_by_risk(admin_client):
    forget_funnel_counts()
    try:
        sign_up("minji", seconds=5)
        sign_up("seojun", seconds=90)
        page = re.sub(r"\s+", " ", admin_client.get("/admin/onboarding/funnelday/").content.decode())
    finally:
        forget_funnel_counts()
    table = page.split('id="funnel-risk"')[1].split("</table>")[0]
    assert "Accounts created by risk" in table
    assert '<span class="risk-badge risk-high">High</span></th><td>0</td>' in table
    assert '<span class="risk-badge risk-medium">Medium</span></th><td>1</td><td>50.0%</td>' in table
    assert '<span class="risk-badge risk-low">Low</span></th><td>1</td><td>50.0%</td>' in table
