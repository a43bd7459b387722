"""The admin's filtered lists at scale: a filter whose estimate is far past the cap is not counted through its
join (the high-risk filter's capped count was most of its 2.2 s at a million signups)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onboarding.models import User
from onboarding.review import scale
from tests.test_admin import make_signup

pytestmark = pytest.mark.django_db

HIGH = User.objects.filter(profile__risk_level="high")


def capped_counts(queries):
    return [q["sql"] for q in queries.captured_queries if f"LIMIT {scale.EXACT_COUNT_CAP + 1}" in q["sql"]]


@pytest.mark.postgres
def test_an_estimate_far_past_the_cap_is_believed_without_a_capped_count(monkeypatch):
    monkeypatch.setattr(scale, "plan_estimate", lambda queryset: 50_000)
    with CaptureQueriesContext(connection) as queries:
        assert scale.estimated_count(HIGH) == 50_000
    assert capped_counts(queries) == []


@pytest.mark.postgres
def test_an_estimate_near_the_cap_is_checked_by_counting(monkeypatch):
    for number in range(3):
        make_signup(f"risky{number}", f"Risky {number}")
    monkeypatch.setattr(scale, "plan_estimate", lambda queryset: scale.EXACT_COUNT_CAP * 2)
    with CaptureQueriesContext(connection) as queries:
        assert scale.estimated_count(User.objects.filter(username__startswith="risky")) == 3
    assert len(capped_counts(queries)) == 1


@pytest.mark.postgres
def test_the_risk_filter_reads_the_level_and_user_index():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'profile_risk_level_user_idx'")
        [(definition,)] = cursor.fetchall()
    assert "(risk_level, user_id)" in definition
