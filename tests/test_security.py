"""Where you're logged in, and the security log and its mail (onboarding/security/), with the Django test client."""

import datetime
from datetime import timedelta
from importlib import import_module

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onboarding.models import AccountSession, SecurityEvent, User
from onboarding.security import events
from onboarding.security.sessions import ACTIVE_EVERY, key_hash, seal, unseal
from onboarding.session_keys import ACCOUNT_SESSION_KEY
from tests.conftest import PASSWORD
from tests.mailserver import html_of, link_in, text_of

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)
NEW_PASSWORD = "a different horse 77 staple"


@pytest.fixture
def minji(make_user):
    return make_user("minji")


def logged_in(user_agent=FIREFOX, address="203.0.113.7", username="minji", password=PASSWORD):
    """A browser that logged in through the login page, with its own User-Agent and address."""
    client = Client(headers={"user-agent": user_agent}, REMOTE_ADDR=address)
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def is_logged_in(client):
    return client.get("/account/").status_code == 200


def test_a_login_makes_a_row_keyed_by_a_hash_and_logs_it(minji):
    client = logged_in()
    session_key = client.session.session_key
    [row] = AccountSession.objects.filter(user=minji)
    assert row.key_hash == key_hash(session_key) and session_key not in row.sealed_key
    assert unseal(row.sealed_key, row.key_hash) == session_key
    assert (row.browser, row.system, row.ip) == ("Firefox 133", "Windows 10", "203.0.113.7")
    [event] = SecurityEvent.objects.filter(user=minji)
    assert (event.kind, event.browser, event.ip) == ("login", "Firefox 133", "203.0.113.7")


def test_a_sealed_key_opens_only_with_the_secret_key(settings):
    sealed = seal("abcdefghijklmnopqrstuvwxyz012345")
    assert unseal(sealed, key_hash("abcdefghijklmnopqrstuvwxyz012345")) == "abcdefghijklmnopqrstuvwxyz012345"
    old_secret = settings.SECRET_KEY
    settings.SECRET_KEY = "another secret key, another keystream" * 2
    assert unseal(sealed, key_hash("abcdefghijklmnopqrstuvwxyz012345")) is None
    settings.SECRET_KEY_FALLBACKS = [old_secret]  # after a rotation, the old key still opens it
    assert unseal(sealed, key_hash("abcdefghijklmnopqrstuvwxyz012345")) == "abcdefghijklmnopqrstuvwxyz012345"


def test_the_page_lists_each_session_with_this_device_first(minji):
    laptop, phone = logged_in(FIREFOX, "203.0.113.7"), logged_in(SAFARI, "198.51.100.20")
    page = phone.get("/account/sessions/").content.decode()
    assert "Firefox 133 on Windows 10" in page and "203.0.113.7" in page
    assert "Mobile Safari 17 on iOS 17" in page and "198.51.100.20" in page
    assert page.count("This device") == 1
    assert page.index("Mobile Safari 17") < page.index("This device") < page.index("Firefox 133")
    assert page.count('name="session"') == 1 and "Log out everywhere else" in page
    assert is_logged_in(laptop)


def test_log_out_one_other_session(minji):
    laptop, phone = logged_in(FIREFOX), logged_in(SAFARI)
    laptop_row = AccountSession.objects.get(key_hash=key_hash(laptop.session.session_key))
    response = phone.post("/account/sessions/", {"session": laptop_row.pk}, follow=True)
    assert "That session has been logged out." in response.content.decode()
    assert not is_logged_in(laptop) and is_logged_in(phone)
    assert list(AccountSession.objects.values_list("key_hash", flat=True)) == [key_hash(phone.session.session_key)]


def test_this_session_and_other_accounts_sessions_are_not_ended_by_id(minji, make_user):
    make_user("jisoo")
    mine, theirs = logged_in(FIREFOX), logged_in(SAFARI, username="jisoo")
    own_row = AccountSession.objects.get(user=minji)
    their_row = AccountSession.objects.get(user__username="jisoo")
    for row in (own_row, their_row):
        response = mine.post("/account/sessions/", {"session": row.pk}, follow=True)
        assert "That session had already ended." in response.content.decode()
    assert is_logged_in(mine) and is_logged_in(theirs)


def test_log_out_everywhere_else_keeps_this_one_and_logs_it(minji):
    others = [logged_in(FIREFOX), logged_in(SAFARI), logged_in(FIREFOX, "192.0.2.1")]
    here = logged_in(SAFARI, "198.51.100.20")
    response = here.post("/account/sessions/", {"everywhere": "1"}, follow=True)
    page = response.content.decode()
    assert "You have been logged out everywhere else." in page and "You are not logged in anywhere else." in page
    assert not any(is_logged_in(client) for client in others) and is_logged_in(here)
    assert AccountSession.objects.filter(user=minji).count() == 1
    assert SecurityEvent.objects.filter(user=minji, kind="logout_everywhere", ip="198.51.100.20").exists()


def test_logging_out_deletes_the_row(minji):
    client = logged_in()
    client.post("/logout/")
    assert not AccountSession.objects.exists()


def test_a_password_change_ends_the_other_sessions_and_follows_this_ones_new_key(minji):
    other, here = logged_in(FIREFOX), logged_in(SAFARI)
    response = here.post(
        "/account/password/",
        {"current_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not is_logged_in(other) and is_logged_in(here)
    # Django gave this session a new key; its row follows it, and only it is left.
    [row] = AccountSession.objects.filter(user=minji)
    assert row.key_hash == key_hash(here.session.session_key)
    assert SecurityEvent.objects.filter(user=minji, kind="password_changed").count() == 1


def test_a_password_reset_ends_every_session(minji, sent_mail):
    sessions = [logged_in(FIREFOX), logged_in(SAFARI)]
    stranger = Client()
    stranger.post("/password-reset/", {"email": "minji@example.com"})
    [message] = sent_mail()
    form = stranger.get(link_in(message.body, "/password-reset/").removeprefix("http://testserver"), follow=True)
    stranger.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert User.objects.get(pk=minji.pk).check_password(NEW_PASSWORD)
    assert not any(is_logged_in(client) for client in sessions)
    assert not AccountSession.objects.exists()
    assert SecurityEvent.objects.filter(user=minji, kind="password_reset").exists()


def test_deleting_the_account_ends_every_session(minji):
    other, here = logged_in(FIREFOX), logged_in(SAFARI)
    other_key = other.session.session_key
    here.post("/account/delete/", {"current_password": PASSWORD, "confirm": "on"})
    assert not User.objects.filter(pk=minji.pk).exists()
    assert not import_module(django_settings.SESSION_ENGINE).SessionStore().exists(other_key)
    assert not AccountSession.objects.exists()


def row_writes(queries):
    return sum(
        1
        for query in queries
        if query["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
        and "onboarding_accountsession" in query["sql"]
    )


ENGINES = {"database": "onboarding.infra.db_sessions", "redis": "onboarding.infra.sessions"}


@pytest.mark.parametrize("engine", ["database", pytest.param("redis", marks=pytest.mark.redis)])
def test_last_active_is_written_at_most_once_per_five_minutes(minji, settings, monkeypatch, engine):
    settings.SESSION_ENGINE = ENGINES[engine]
    store = import_module(ENGINES[engine]).SessionStore
    saves = []
    original_save = store.save

    def counted_save(self, *args, **kwargs):
        saves.append(self.session_key)
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(store, "save", counted_save)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        client = logged_in()
        row = AccountSession.objects.get(user=minji)
        writes = []
        # A page every 30 seconds for 20 minutes: 40 requests.
        for _step in range(40):
            traveller.shift(timedelta(seconds=30))
            saves.clear()
            with CaptureQueriesContext(connection) as queries:
                assert client.get("/account/").status_code == 200
            writes.append((row_writes(queries.captured_queries), len(saves)))
        row.refresh_from_db()
    # 20 minutes, a write due every 5: four requests wrote the row's "last active" and the session's stamp
    # (one UPDATE, one save of the session); the other 36 wrote neither.
    written = [number for number, counts in enumerate(writes) if counts != (0, 0)]
    assert len(written) == 4, writes
    assert all(writes[number] == (1, 1) for number in written), writes
    assert all(later - earlier == ACTIVE_EVERY // 30 for earlier, later in zip(written, written[1:], strict=False))
    assert row.last_active_at == start + timedelta(seconds=30 * (written[-1] + 1))
    assert client.session[ACCOUNT_SESSION_KEY]["hash"] == row.key_hash


def test_a_session_from_before_the_table_is_listed_from_its_next_request(minji):
    client = logged_in()
    AccountSession.objects.all().delete()
    session = client.session
    del session[ACCOUNT_SESSION_KEY]
    session.save()
    client.get("/account/")
    assert AccountSession.objects.get(user=minji).key_hash == key_hash(client.session.session_key)


def test_the_account_home_shows_the_last_twenty_events(minji):
    client = logged_in(SAFARI, "198.51.100.20")
    SecurityEvent.objects.bulk_create(
        [SecurityEvent(user=minji, kind="password_changed", at=timezone.now() - timedelta(days=1)) for _ in range(25)]
    )
    page = client.get("/account/").content.decode()
    assert "Security log" in page and "Where you're logged in" in page
    assert page.count('<li class="security-event">') == 20
    assert page.index("Logged in") < page.index("Password changed")  # newest first
    assert "Mobile Safari 17 on iOS 17" in page and "198.51.100.20" in page


def test_the_security_log_shows_times_in_the_persons_time_zone(make_user):
    make_user("minji", time_zone="Asia/Seoul")
    with time_machine.travel(datetime.datetime(2026, 12, 1, 23, 30, tzinfo=datetime.UTC), tick=False):
        client = logged_in()
    page = client.get("/account/").content.decode()
    assert 'datetime="2026-12-02T08:30:00+09:00"' in page


def notice_request(language="en"):
    request = RequestFactory().post(
        "/", headers={"user-agent": FIREFOX, "accept-language": language}, REMOTE_ADDR="203.0.113.7"
    )
    return request


NOTIFYING = [kind for kind, what in events.KINDS.items() if what.mail]


@pytest.mark.parametrize("language", ["en", "ko"])
def test_each_notice_goes_through_a_real_smtp_server_in_the_persons_language(
    make_user, smtp_server, sent_mail, settings, language
):
    settings.EMAIL_RATE_LIMIT_PER_ADDRESS = settings.EMAIL_RATE_LIMIT_PER_CLIENT = "0"
    user = make_user("minji", language=language, time_zone="Asia/Seoul")
    when = datetime.datetime(2026, 12, 1, 23, 30, tzinfo=datetime.UTC)
    with time_machine.travel(when, tick=False):
        for kind in NOTIFYING:
            extra = {"to": "old@example.com", "new_email": "minji@example.com"} if kind == "email_changed" else {}
            events.record(notice_request(), user, kind, **extra)
    sent_mail()
    messages = smtp_server.inbox.to("minji@example.com")
    assert len(messages) == len(NOTIFYING) - 1
    [old] = smtp_server.inbox.to("old@example.com")
    subjects = set()
    for message in [*messages, old]:
        text, html = text_of(message), html_of(message)
        subjects.add(message["Subject"])
        assert "Firefox 133" in text and "203.0.113.7" in text and "203.0.113.7" in html
        assert link_in(text, "/password-reset/") and "/password-reset/" in html
        if language == "ko":
            assert message["Subject"].strip().startswith("[Maru] "), message["Subject"]
            assert "2026년 12월 2일" in text and "(Asia/Seoul)" in text  # their zone, their words
            assert "Windows 10의 Firefox 133" in text
            assert "본인이 아니라면" in text
        else:
            assert "(Asia/Seoul)" in text and "Dec. 2, 2026" in text
            assert "Firefox 133 on Windows 10" in text and "If this was not you" in text
    assert len(subjects) == len(NOTIFYING)  # each kind says what happened in its subject


def test_notices_are_limited_like_every_mail_but_the_events_are_kept(minji, sent_mail, settings):
    settings.EMAIL_RATE_LIMIT_PER_ADDRESS = "2/h"
    for _ in range(4):
        events.record(notice_request(), minji, "password_changed")
    assert len(sent_mail()) == 2
    assert SecurityEvent.objects.filter(user=minji, kind="password_changed").count() == 4


def test_a_login_mails_nothing(minji, sent_mail):
    logged_in()
    assert sent_mail() == []


def test_an_unknown_kind_is_refused(minji):
    with pytest.raises(ValueError, match="Unknown security event"):
        events.record(notice_request(), minji, "password_chnaged")


def test_a_superuser_ends_every_session_of_selected_users(minji, make_user, admin_client):
    make_user("jisoo")
    minjis, jisoos = logged_in(FIREFOX), logged_in(SAFARI, username="jisoo")
    also_minji = logged_in(SAFARI)
    response = admin_client.post(
        "/admin/onboarding/user/",
        {"action": "end_all_sessions", "_selected_action": [minji.pk, User.objects.get(username="jisoo").pk]},
        follow=True,
    )
    assert "Ended 3 sessions of 2 users." in response.content.decode()
    assert not any(is_logged_in(client) for client in (minjis, jisoos, also_minji))
    assert is_logged_in(admin_client)
    assert SecurityEvent.objects.filter(user=minji, kind="sessions_ended_by_staff").count() == 1
    page = admin_client.get(f"/admin/onboarding/user/{minji.pk}/change/").content.decode()
    assert "Security log" in page and "Logged out everywhere by our staff" in page and "Firefox 133" in page


def test_staff_who_are_not_superusers_have_no_end_all_sessions(minji, make_user, client):
    from django.contrib.auth.models import Permission

    staff = make_user("reviewer")
    User.objects.filter(pk=staff.pk).update(is_staff=True)
    staff.refresh_from_db()
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    client.force_login(staff)
    page = client.get("/admin/onboarding/user/").content.decode()
    assert "end_all_sessions" not in page
    victim = logged_in()
    client.post("/admin/onboarding/user/", {"action": "end_all_sessions", "_selected_action": [minji.pk]})
    assert is_logged_in(victim)


def test_a_reset_from_a_browser_logged_in_to_the_account_ends_it_too(minji, sent_mail):
    other, here = logged_in(FIREFOX), logged_in(SAFARI)
    here.post("/password-reset/", {"email": "minji@example.com"})
    [message] = sent_mail()
    form = here.get(link_in(message.body, "/password-reset/").removeprefix("http://testserver"), follow=True)
    response = here.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/password-reset/done/"
    assert not is_logged_in(other) and not is_logged_in(here)
    assert not AccountSession.objects.exists()


def test_a_superuser_ending_their_own_sessions_keeps_the_one_they_use(admin_user, admin_client):
    elsewhere = Client()
    elsewhere.force_login(admin_user)
    response = admin_client.post(
        "/admin/onboarding/user/", {"action": "end_all_sessions", "_selected_action": [admin_user.pk]}, follow=True
    )
    assert response.status_code == 200 and "Ended 1 session of 1 user." in response.content.decode()
    assert is_logged_in(admin_client) and not is_logged_in(elsewhere)


@pytest.mark.parametrize("engine", ["database", pytest.param("redis", marks=pytest.mark.redis)])
def test_clearsessions_unlists_sessions_older_than_a_session_lives(minji, settings, engine):
    from django.core.management import call_command

    settings.SESSION_ENGINE = ENGINES[engine]
    logged_in(FIREFOX)
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)):
        fresh = logged_in(SAFARI)
        call_command("clearsessions")
    assert list(AccountSession.objects.values_list("key_hash", flat=True)) == [key_hash(fresh.session.session_key)]
