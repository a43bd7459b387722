"""The benchmark's counting pass (`make bench`) still walks a whole signup, and its counts stay in budget."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.counts import count_signup
from bench.signup import LABELS
from onboarding.models import User

# Real commits, as in the benchmark: no test transaction adding savepoints to the counts.
pytestmark = pytest.mark.django_db(transaction=True)

NON_FINAL = ("account GET", "account POST", "profile GET", "profile POST")


def test_counting_pass_walks_a_whole_signup_within_the_query_session_and_hash_budgets(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"

    rows = {row["request"]: row for row in count_signup("counted")}

    assert list(rows) == list(LABELS)
    assert [rows[label]["status"] for label in LABELS] == [302, 200, 302, 200, 302, 200, 302, 200]
    assert User.objects.get().profile.real_name == "Bench Person"
    assert rows["account POST"]["uniqueness_checks"] == 2
    assert all(rows[label]["queries"] <= 2 for label in NON_FINAL), rows
    assert rows["Create account"]["queries"] <= 12
    assert 0 < max(row["session_bytes"] for row in rows.values()) <= 1024
    assert {label: row["password_hashes"] for label, row in rows.items() if row["password_hashes"]} == {
        "account POST": 1
    }


def writes(queries):
    return [query["sql"] for query in queries.captured_queries if not query["sql"].startswith(("SELECT", "BEGIN", "COMMIT"))]


@pytest.mark.parametrize("step", ["account", "profile"])
def test_showing_a_step_writes_nothing_when_the_wizard_did_not_change(signup, step):
    client = signup(until=step)  # GET /signup/ (and the steps before) leave the wizard on this step
    with CaptureQueriesContext(connection) as first:
        assert client.get(f"/signup/{step}/").status_code == 200
    with CaptureQueriesContext(connection) as reload:
        assert client.get(f"/signup/{step}/").status_code == 200
    assert writes(first) == []
    assert writes(reload) == []
    assert client.get("/signup/")["Location"] == f"/signup/{step}/"
