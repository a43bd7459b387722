"""What `make bench` counts stays in budget, and the wizard's shortcuts for speed change nothing a person sees."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.counts import count_signup
from bench.signup import LABELS
from onboarding import funnel
from onboarding.models import User
from onboarding.review import risk
from onboarding.signup import rendering
from tests.conftest import ACCOUNT, PROFILE, step_data

# Real commits, as in the benchmark: no test transaction adding savepoints to the counts.
# The counting pass counts the real hasher's hashes, as `make bench` does.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.argon2]

NON_FINAL = ("account GET", "account POST", "profile GET", "profile POST")


def test_counting_pass_walks_a_whole_signup_within_the_query_session_and_hash_budgets(settings, monkeypatch):
    settings.SESSION_ENGINE = "onboarding.infra.db_sessions"
    # The wizard's own queries. Without Redis the funnel's counters are database rows every worker shares
    # (a few queries per counted event, on purpose); with Redis they cost none (tests/test_funnel.py).
    for name in ("start", "step_done", "reached", "step_errors", "created"):
        monkeypatch.setattr(funnel, name, lambda *args, **kwargs: 0)
    # The same for counting signups per network and per device (review/risk.py): rows of the shared counters,
    # or Redis.
    monkeypatch.setattr(risk, "busy_network", lambda *args, **kwargs: False)
    monkeypatch.setattr(risk, "busy_device", lambda *args, **kwargs: False)

    rows = {row["request"]: row for row in count_signup("counted")}

    assert list(rows) == list(LABELS)
    assert [rows[label]["status"] for label in LABELS] == [200, 302, 200, 302, 200, 302, 200]
    assert User.objects.get().profile.real_name == "Bench Person"
    assert rows["account POST"]["uniqueness_checks"] == 1  # username and email in one query
    assert all(rows[label]["queries"] <= 1 for label in ("account GET", "profile GET")), rows
    # Each stored step gets a new session key (finding 2): on database sessions the row renamed by the
    # UPDATE that stores the step (with Redis, a key set and one deleted); the first POST inserts the
    # visitor's session, and reads none.
    assert rows["account POST"]["queries"] <= 1 and rows["profile POST"]["queries"] <= 2, rows
    # A first visit stores no session and runs no query (finding 8).
    assert rows["account GET"]["queries"] == 0 and rows["account GET"]["session_bytes"] == 0
    # The session, the username and email checks again (one query), the user, profile and mail-task inserts,
    # last login and the new session; two more work out the signup's risk: the latest addresses, and noting
    # the domain as seen (one INSERT ... ON CONFLICT DO NOTHING, which says whether it was new).
    # Two more log the person in: the session's row in "Where you're logged in" and the login in the security log.
    assert rows["Create account"]["queries"] <= 11, rows
    # The done page reads the session and the logged-in user (the account it shows), nothing more.
    assert rows["done GET"]["queries"] <= 2, rows
    assert 0 < max(row["session_bytes"] for row in rows.values()) <= 1024
    assert {label: row["password_hashes"] for label, row in rows.items() if row["password_hashes"]} == {
        "account POST": 1
    }


def writes(queries):
    statements = [query["sql"] for query in queries.captured_queries]
    return [sql for sql in statements if not sql.startswith(("SELECT", "BEGIN", "COMMIT"))]


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


def step_pages(language):
    """The three step pages as a new visitor first sees them, tokens masked."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.get("/signup/")
    pages = [client.get("/signup/account/")]
    client.post("/signup/account/", step_data("account", **ACCOUNT))
    pages.append(client.get("/signup/profile/"))
    client.post("/signup/profile/", step_data("profile", **PROFILE))
    pages.append(client.get("/signup/confirm/"))
    return [re.sub(r'value="[^"]{20,}"', 'value="(token)"', page.content.decode()) for page in pages]


def test_blank_forms_rendered_once_look_as_if_rendered_each_time(monkeypatch):
    rendering.forget_blank_forms()
    # The second round is served from what the first stored, one set per language.
    stored = {language: step_pages(language) for language in ("en", "ko", "en", "ko")}
    assert len(rendering._blank_forms) == 6
    monkeypatch.setattr(rendering, "blank_form_html", lambda form: None)
    for language in ("en", "ko"):
        assert stored[language] == step_pages(language)
    assert 'name="account-username"' in stored["en"][0] and 'name="profile-real_name"' in stored["en"][1]
