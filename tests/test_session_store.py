"""The database session store of a site without Redis: Django's rows and expiry, one statement per stored change."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onboarding.funnel import store as funnel_store
from onboarding.infra.db_sessions import SessionStore
from onboarding.models import FunnelMark

pytestmark = pytest.mark.django_db


def stored(values):
    session = SessionStore()
    session.update(values)
    session.save()
    return session.session_key


def statements(queries):
    """The statements run, less the savepoints the test's own transaction adds around each write."""
    words = [query["sql"].split()[0] for query in queries.captured_queries]
    return [word for word in words if word not in ("SAVEPOINT", "RELEASE")]


def test_a_new_key_renames_the_row_in_one_update_and_the_old_key_opens_nothing():
    old = stored({"answer": "kept"})
    session = SessionStore(old)
    with CaptureQueriesContext(connection) as queries:
        session.cycle_key()
        session["more"] = 1
        session.save()
    assert statements(queries) == ["SELECT", "UPDATE"]
    assert session.session_key != old
    assert not SessionStore().exists(old)
    assert dict(SessionStore(session.session_key).load()) == {"answer": "kept", "more": 1}
    assert Session.objects.count() == 1


def test_a_new_session_is_one_insert_and_a_session_that_did_not_change_is_not_written():
    with CaptureQueriesContext(connection) as queries:
        key = stored({"answer": "kept"})
    assert statements(queries) == ["INSERT"]
    session = SessionStore(key)
    session["answer"] = "kept"  # the same value again: marked modified, nothing to write
    with CaptureQueriesContext(connection) as queries:
        session.save()
    assert statements(queries) == []


def test_logging_out_after_a_new_key_deletes_the_stored_row():
    old = stored({"answer": "kept"})
    session = SessionStore(old)
    session.cycle_key()
    session.flush()
    assert Session.objects.count() == 0


def test_a_session_deleted_while_the_request_ran_is_not_brought_back():
    key = stored({"answer": "kept"})
    session = SessionStore(key)
    session["answer"] = "changed"
    Session.objects.all().delete()  # logged out in another tab meanwhile
    with pytest.raises(UpdateError):
        session.save()
    assert Session.objects.count() == 0


def test_a_new_key_for_a_session_whose_row_went_stores_it_afresh():
    key = stored({"answer": "kept"})
    session = SessionStore(key)
    session.cycle_key()
    Session.objects.all().delete()  # expired and cleared meanwhile
    session.save()
    assert dict(SessionStore(session.session_key).load()) == {"answer": "kept"}


def test_an_expired_session_opens_nothing_and_clearsessions_removes_it_with_the_funnels_old_marks():
    if funnel_store._redis() is not None:
        pytest.skip("with Redis the sessions and the funnel's marks are Redis keys, which expire by themselves")
    key = stored({"answer": "kept"})
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    funnel_store.add_many(timezone.localdate(), {("account", "en", "", ""): 1}, once="live", timeout=60)
    FunnelMark.objects.create(key="old", expires=timezone.now() - timedelta(seconds=1))
    assert SessionStore(key).load() == {}
    call_command("clearsessions")
    assert Session.objects.count() == 0
    assert list(FunnelMark.objects.values_list("key", flat=True)) == ["live"]


def test_a_new_key_for_a_session_never_stored_inserts_it():
    session = SessionStore()
    session.cycle_key()  # a "finish later" link opened in a fresh browser
    session["answer"] = "kept"
    session.save()
    assert dict(SessionStore(session.session_key).load()) == {"answer": "kept"}
