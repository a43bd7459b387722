"""The waitlist: people leave an address (and a name), confirm it by a link over real SMTP, and staff invite them
from the admin, oldest first, in batches."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from onboarding.models import Invitation, User, WaitlistEntry
from tests.conftest import PASSWORD
from tests.mailserver import link_in, text_of

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/onboarding/waitlistentry/"


@pytest.fixture(autouse=True)
def _waitlist_mode(settings):
    settings.SIGNUP_MODE = "waitlist"


def join(client, email="minji@example.com", name="Kim Minji"):
    return client.post("/signup/waitlist/", {"email": email, "name": name}, follow=True)


def path_of(link):
    return "/" + link.split("/", 3)[3]


@pytest.fixture
def confirm_link(client, smtp_server, sent_mail):
    join(client)
    sent_mail()
    [message] = smtp_server.inbox.to("minji@example.com")
    return link_in(text_of(message), "/signup/waitlist/confirm/")


def test_the_waitlist_page_takes_an_address_and_the_link_confirms_it(client, smtp_server, sent_mail):
    page = client.get("/signup/").content.decode()
    assert "Join the waitlist" in page and 'name="email"' in page and 'name="name"' in page
    response = join(client)
    assert response.redirect_chain[-1][0] == "/signup/waitlist/sent/"
    assert "If <strong>minji@example.com</strong> is not on the waitlist yet" in response.content.decode()
    entry = WaitlistEntry.objects.get()
    assert entry.name == "Kim Minji" and entry.confirmed_at is None and entry.language == "en"
    sent_mail()
    [message] = smtp_server.inbox.to("minji@example.com")
    assert message["Subject"].strip() == "Confirm your place on the Maru waitlist"
    link = link_in(text_of(message), "/signup/waitlist/confirm/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in str(WaitlistEntry.objects.values().get())  # only its hash is kept

    browser = Client()
    assert "Confirm my place" in browser.get(path_of(link)).content.decode()
    assert WaitlistEntry.objects.get().confirmed_at is None  # a mail scanner's GET confirms nothing
    done = browser.post(path_of(link))
    assert done.status_code == 200 and "You are on the waitlist" in done.content.decode()
    assert WaitlistEntry.objects.get().confirmed_at is not None

    for method in (browser.get, browser.post, Client().get):
        twice = method(path_of(link))
        assert twice.status_code == 400
        assert "Your place on the waitlist is already confirmed" in twice.content.decode()


def test_an_expired_confirmation_link_gets_our_page(confirm_link):
    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=1)):
        for method in (Client().get, Client().post):
            response = method(path_of(confirm_link))
            assert response.status_code == 400
            page = response.content.decode()
            assert "This link has expired" in page and "work for 3 days" in page
    assert WaitlistEntry.objects.get().confirmed_at is None


def test_a_forged_or_replaced_link_gets_our_page(client, confirm_link, sent_mail):
    join(client)  # a newer link replaces the older
    sent_mail()
    for path in (path_of(confirm_link), "/signup/waitlist/confirm/forged/"):
        response = Client().get(path)
        assert response.status_code == 404 and "This link does not work" in response.content.decode()


def test_the_answer_is_the_same_whatever_the_list_holds(client, make_user, smtp_server, sent_mail):
    make_user("member", "member@example.com")
    assert join(client, "member@example.com").redirect_chain[-1][0] == "/signup/waitlist/sent/"
    assert not WaitlistEntry.objects.exists()
    sent_mail()
    assert not smtp_server.inbox.messages  # nothing to an address with an account


def test_a_throwaway_address_is_refused_with_the_reason(client):
    response = join(client, "someone@mailinator.com")
    assert response.status_code == 200
    assert "throwaway addresses" in response.content.decode()
    assert not WaitlistEntry.objects.exists()


def test_asking_too_often_is_refused(client, settings, sent_mail):
    settings.EMAIL_RATE_LIMIT_PER_ADDRESS = "2/h"
    for _ in range(2):
        join(client)
    page = join(client).content.decode()
    assert "We have sent several emails already" in page
    assert len(sent_mail()) == 2


def test_the_waitlist_page_in_korean(client):
    client.cookies["django_language"] = "ko"
    page = client.get("/signup/").content.decode()
    assert "대기자 명단에 등록" in page and 'lang="ko"' in page
    join(client)
    assert WaitlistEntry.objects.get().language == "ko"


@pytest.mark.parametrize("mode", ["open", "invite", "closed"])
def test_the_waitlist_takes_no_one_in_other_modes(client, settings, mode):
    settings.SIGNUP_MODE = mode
    assert join(client).status_code == 404
    assert not WaitlistEntry.objects.exists()


# The admin -------------------------------------------------------------------------------------------


@pytest.fixture
def inviter(client):
    user = User.objects.create_user("staff", "staff@example.com", PASSWORD, is_staff=True)
    for codename in ("add_invitation", "view_invitation", "view_waitlistentry"):
        user.user_permissions.add(Permission.objects.get(content_type__app_label="onboarding", codename=codename))
    client.force_login(user)
    return user


def waiting(count, *, confirmed=True, start=0, language="en"):
    now = timezone.now()
    entries = WaitlistEntry.objects.bulk_create(
        WaitlistEntry(
            email=f"person{number}@example.com",
            email_key=f"person{number}@example.com",
            language=language,
            confirmed_at=now if confirmed else None,
        )
        for number in range(start, start + count)
    )
    for offset, entry in enumerate(entries):  # joined one minute apart, the first one first
        WaitlistEntry.objects.filter(pk=entry.pk).update(created_at=now - timedelta(minutes=count - offset))
    return entries


def invite_all(client):
    first = WaitlistEntry.objects.order_by("pk").first()
    data = {"action": "invite_selected", "select_across": "1", "index": "0", "_selected_action": [first.pk]}
    return client.post(CHANGELIST, data, follow=True)


def test_staff_see_the_waitlist_oldest_first(client, inviter):
    waiting(3)
    response = client.get(CHANGELIST)
    assert [entry.email for entry in response.context["cl"].result_list] == [
        "person0@example.com",
        "person1@example.com",
        "person2@example.com",
    ]


def test_invite_sends_each_confirmed_person_an_invitation_in_their_language(client, inviter, smtp_server, sent_mail):
    waiting(2, language="ko")
    waiting(1, confirmed=False, start=2)
    page = invite_all(client).content.decode()
    assert "Invited 2 addresses." in page and "1 selected person was left out" in page
    assert set(Invitation.objects.values_list("email", "language", "invited_by")) == {
        ("person0@example.com", "ko", inviter.pk),
        ("person1@example.com", "ko", inviter.pk),
    }
    assert WaitlistEntry.objects.filter(invited_at__isnull=False).count() == 2
    sent_mail()
    assert [m["Subject"].strip() for m in smtp_server.inbox.messages] == ["[Maru] 회원가입 초대"] * 2
    # Invited once: a second run leaves them out.
    assert "3 selected people were left out" in invite_all(client).content.decode()
    assert Invitation.objects.count() == 2


def test_the_invite_action_costs_the_same_queries_for_30_or_1000_people(client, inviter):
    def queries(count):
        WaitlistEntry.objects.all().delete()
        Invitation.objects.all().delete()
        DBTaskResult.objects.all().delete()
        waiting(count)
        with CaptureQueriesContext(connection) as captured:
            assert "Invited" in invite_all(client).content.decode()
        return len(captured)

    few, many = queries(30), queries(1000)
    # One more per 900 rows looked up or updated and per batch of rows written (the database's limit on
    # parameters), one task row per 500 mails; nothing per person.
    assert many <= few + 20, (few, many)
    assert DBTaskResult.objects.count() == 2  # 1,000 mails queued in 2 tasks of 500


def test_only_staff_who_may_invite_see_the_action(client):
    user = User.objects.create_user("viewer", "viewer@example.com", PASSWORD, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_waitlistentry"))
    client.force_login(user)
    waiting(1)
    assert "invite_selected" not in client.get(CHANGELIST).content.decode()
    invite_all(client)
    assert not Invitation.objects.exists()


def test_an_invitation_from_the_waitlist_opens_the_wizard(client, inviter, smtp_server, sent_mail):
    join(Client(), "minji@example.com")
    WaitlistEntry.objects.update(confirmed_at=timezone.now())
    invite_all(client)
    sent_mail()
    link = link_in(text_of(smtp_server.inbox.to("minji@example.com")[-1]), "/signup/invitation/")
    browser = Client()
    browser.post(path_of(link))
    assert 'value="minji@example.com"' in browser.get("/signup/account/").content.decode()
