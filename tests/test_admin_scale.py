"""What keeps the admin fast on a big table: trigram indexes on PostgreSQL only, estimated counts, streamed export."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onboarding.infra.trigram import TRIGRAM_INDEXES
from onboarding.models import User
from onboarding.review import scale
from tests.test_admin import CHANGELIST, listed, make_signup

pytestmark = pytest.mark.django_db

TRIGRAM_NAMES = {name for name, _, _ in TRIGRAM_INDEXES}


def index_names():
    with connection.cursor() as cursor:
        return {
            name
            for table in ("onboarding_user", "onboarding_profile")
            for name in connection.introspection.get_constraints(cursor, table)
        }


def test_on_sqlite_the_migration_makes_no_trigram_index():
    if connection.vendor == "postgresql":
        pytest.skip("the SQLite side of the migration")
    assert not TRIGRAM_NAMES & index_names()
    assert "user_date_joined_id_idx" in index_names()


def search_plan(queryset):
    """PostgreSQL's plan for a queryset, with sequential scans off: a tiny table would be read whole."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
def test_on_postgresql_the_migration_makes_one_gin_trigram_index_that_search_uses():
    assert {"user_search_text_trgm"} == TRIGRAM_NAMES and index_names() >= TRIGRAM_NAMES
    # The three per-column indexes of migration 0005 are gone: every search reads the one above.
    assert not {"user_username_trgm", "user_email_trgm", "profile_real_name_trgm"} & index_names()
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'user_search_text_trgm'")
        assert "gin_trgm_ops" in cursor.fetchone()[0]
    make_signup("minji", "김민지")
    plan = search_plan(User.objects.filter(search_text__icontains="김민지").filter(search_text__icontains="minji"))
    assert "user_search_text_trgm" in plan, plan
    # Both words are conditions on the same index, with no join to the profiles.
    assert "onboarding_profile" not in plan, plan


@pytest.mark.postgres
def test_on_postgresql_search_reads_one_column_and_finds_korean_names(admin_client):
    make_signup("minji", "김민지")
    make_signup("seojun", "Lee Seojun", email="sj@example.org")
    with CaptureQueriesContext(connection) as queries:
        assert listed(admin_client.get(CHANGELIST, {"q": "민지"})) == ["minji"]
    searches = [query["sql"] for query in queries.captured_queries if "LIKE" in query["sql"]]
    assert searches and all('"onboarding_user"."search_text"' in sql for sql in searches)
    assert not any("UNION" in sql for sql in searches)
    assert listed(admin_client.get(CHANGELIST, {"q": "SJ@EXAMPLE"})) == ["seojun"]
    assert listed(admin_client.get(CHANGELIST, {"q": "lee seo"})) == ["seojun"]


@pytest.mark.postgres
def test_on_postgresql_a_big_list_is_counted_from_the_planners_estimate(monkeypatch):
    for number in range(6):
        make_signup(f"person{number}", f"Person {number}")
    monkeypatch.setattr(scale, "EXACT_COUNT_CAP", 3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE onboarding_user")
    with CaptureQueriesContext(connection) as queries:
        count = scale.estimated_count(User.objects.all())
    assert count >= 3
    assert any("reltuples" in query["sql"] for query in queries.captured_queries)
    assert not any('COUNT(*) FROM "onboarding_user"' in query["sql"] for query in queries.captured_queries)
    filtered = scale.estimated_count(User.objects.filter(username__startswith="person"))
    assert filtered >= 3


def test_small_lists_are_counted_exactly_with_a_capped_count(monkeypatch):
    for number in range(5):
        make_signup(f"person{number}", f"Person {number}")
    assert scale.estimated_count(User.objects.all()) == 5
    monkeypatch.setattr(scale, "EXACT_COUNT_CAP", 2)
    if connection.vendor != "postgresql":
        assert scale.estimated_count(User.objects.all()) == 5  # no estimate to read: counted after all


def test_the_export_of_everyone_streams_row_by_row(admin_client, admin_user):
    for number in range(25):
        make_signup(f"person{number}", f"Person {number}")
    response = admin_client.post(
        CHANGELIST, {"action": "export_csv", "select_across": "1", "index": "0", "_selected_action": [admin_user.pk]}
    )
    assert response.streaming
    chunks = list(response.streaming_content)
    assert len(chunks) == 27  # the header, then one chunk per row: never the whole file at once
    assert b"".join(chunks).decode("utf-8-sig").count("\n") == 27


def test_the_date_drill_down_reads_only_the_first_and_last_date(admin_client):
    make_signup("old", "Old Timer", days_ago=800)
    make_signup("new", "New Comer")
    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get(CHANGELIST).content.decode()
    assert 'class="toplinks"' in page
    dated = [q["sql"] for q in queries.captured_queries if "date_joined" in q["sql"] and "MIN(" in q["sql"].upper()]
    assert len(dated) == 1
    assert not any("DISTINCT" in q["sql"].upper() for q in queries.captured_queries)
