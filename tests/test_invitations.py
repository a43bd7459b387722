"""Invitations: staff invite in the admin, the mail goes over real SMTP, the link opens the wizard with the address
filled in and proven, once; every other state of the link gets our page; the modes that need one."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onboarding import links
from onboarding.access import invitations
from onboarding.models import Invitation, InvitationStatus, User
from tests.conftest import ACCOUNT, PASSWORD, PROFILE, step_data
from tests.mailserver import html_of, link_in, text_of

pytestmark = pytest.mark.django_db

ADD = "/admin/onboarding/invitation/add/"
CHANGELIST = "/admin/onboarding/invitation/"


@pytest.fixture
def inviter(client):
    """A staff member who may invite (and nothing else), logged in with `client`."""
    user = User.objects.create_user("staff", "staff@example.com", PASSWORD, is_staff=True)
    for codename in ("add_invitation", "view_invitation"):
        user.user_permissions.add(Permission.objects.get(content_type__app_label="onboarding", codename=codename))
    client.force_login(user)
    return user


def invite(client, *addresses, language="en"):
    return client.post(ADD, {"addresses": "\n".join(addresses), "language": language}, follow=True)


def path_of(link):
    return "/" + link.split("/", 3)[3]


def finish_signup(browser, account=None):
    """From an opened invitation: the account step (email already there), profile, confirm."""
    answers = {key: value for key, value in (account or ACCOUNT).items() if key != "email"}
    email = (account or {}).get("email")
    data = step_data("account", **answers, **({"email": email} if email else {}))
    if email is None:
        data["account-email"] = browser.get("/signup/account/").context["form"].initial["email"]
    assert browser.post("/signup/account/", data)["Location"] == "/signup/profile/"
    assert browser.post("/signup/profile/", step_data("profile", **PROFILE))["Location"] == "/signup/confirm/"
    return browser.post("/signup/confirm/", step_data("confirm", accept_terms="on"))


@pytest.fixture
def invited(client, inviter, smtp_server, sent_mail):
    """Invite minji@example.com in the admin and deliver the mail: returns the link in it."""
    invite(client, "minji@example.com")
    sent_mail()
    [message] = smtp_server.inbox.to("minji@example.com")
    return link_in(text_of(message), "/signup/invitation/")


def test_an_invitation_over_real_smtp_opens_the_wizard_with_the_address_proven(
    client, inviter, smtp_server, sent_mail, settings
):
    settings.SIGNUP_MODE = "invite"
    page = invite(client, "Minji@Example.com").content.decode()
    assert "Invited 1 address." in page
    invitation = Invitation.objects.get()
    assert invitation.invited_by == inviter and invitation.status == InvitationStatus.SENT
    assert invitation.token_hash is None  # the worker makes the link when it sends
    sent_mail()
    [message] = smtp_server.inbox.to("Minji@example.com")
    assert message["Subject"].strip() == "You are invited to sign up to Maru"
    link = link_in(text_of(message), "/signup/invitation/")
    assert f'href="{link}"' in html_of(message) and "works for 14 days, once" in text_of(message)
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation.refresh_from_db()
    assert invitation.token_hash == links.token_hash(token) and invitation.sent_at
    assert "sent" in client.get(CHANGELIST).content.decode().lower()

    browser = Client()
    shown = browser.get(path_of(link))  # a mail scanner following the link spends nothing
    assert shown.status_code == 200 and "Minji@example.com" in shown.content.decode()
    assert Invitation.objects.get().opened_at is None
    opened = browser.post(path_of(link), follow=True)
    assert opened.redirect_chain[-1][0] == "/signup/account/"
    assert 'value="Minji@example.com"' in opened.content.decode()
    assert Invitation.objects.get().status == InvitationStatus.OPENED
    assert finish_signup(browser)["Location"] == "/signup/done/"
    user = User.objects.get(username="minji")
    assert user.email_verified_at is not None and SESSION_KEY in browser.session
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.USED and invitation.user == user
    sent_mail()
    assert len(smtp_server.inbox.messages) == 1  # no confirmation mail: the invitation proved the address


def test_a_changed_address_must_be_confirmed_as_usual(invited, smtp_server, sent_mail):
    browser = Client()
    browser.post(path_of(invited))
    finish_signup(browser, account={**ACCOUNT, "email": "other@example.com"})
    user = User.objects.get(username="minji")
    assert user.email == "other@example.com" and user.email_verified_at is None
    sent_mail()
    assert smtp_server.inbox.to("other@example.com")  # the confirmation mail
    assert Invitation.objects.get().user == user  # the invitation still brought them


def test_a_used_invitation_gets_our_page(invited):
    browser = Client()
    browser.post(path_of(invited))
    finish_signup(browser)
    for method in (Client().get, Client().post):
        response = method(path_of(invited))
        assert response.status_code == 400
        assert "This invitation has already been used" in response.content.decode()


def test_an_expired_invitation_gets_our_page(invited):
    with time_machine.travel(timezone.now() + timedelta(days=14, minutes=1)):
        response = Client().get(path_of(invited))
        assert response.status_code == 400
        page = response.content.decode()
        assert "This invitation has expired" in page and "Invitations work for 14 days" in page
        assert Client().post(path_of(invited)).status_code == 400
        assert Invitation.objects.get().status == InvitationStatus.EXPIRED


def test_a_forged_or_cut_link_gets_our_page(invited):
    for path in (path_of(invited)[:-5] + "/", "/signup/invitation/forged-token/"):
        response = Client().get(path)
        assert response.status_code == 404
        assert "This invitation link does not work" in response.content.decode()


def test_a_second_opening_gets_our_page_and_the_first_browser_carries_on(invited):
    first = Client()
    first.post(path_of(invited))
    again = first.post(path_of(invited))
    assert again.status_code == 400 and "This invitation has already been opened" in again.content.decode()
    assert "Carry on with your signup in this browser" in again.content.decode()
    elsewhere = Client().post(path_of(invited)).content.decode()
    assert "This invitation has already been opened" in elsewhere
    assert "Carry on with your signup" not in elsewhere
    assert first.get("/signup/account/").status_code == 200


def test_a_revoked_invitation_gets_our_page_even_once_opened(client, invited, settings):
    settings.SIGNUP_MODE = "invite"
    browser = Client()
    browser.post(path_of(invited))
    response = client.post(
        CHANGELIST, {"action": "revoke_selected", "_selected_action": [Invitation.objects.get().pk]}, follow=True
    )
    assert "Revoked 1 invitation." in response.content.decode()
    assert Invitation.objects.get().status == InvitationStatus.REVOKED
    for method in (Client().get, Client().post, browser.post):
        page = method(path_of(invited))
        assert page.status_code == 400 and "This invitation was withdrawn" in page.content.decode()
    # The browser that opened it is let in no more.
    assert "Signup is by invitation" in browser.get("/signup/account/").content.decode()


def test_resending_makes_a_new_link_and_kills_the_old_one(client, invited, smtp_server, sent_mail):
    invitation = Invitation.objects.get()
    response = client.post(CHANGELIST, {"action": "resend_selected", "_selected_action": [invitation.pk]}, follow=True)
    assert "Sent 1 invitation again." in response.content.decode()
    sent_mail()
    new = link_in(text_of(smtp_server.inbox.to("minji@example.com")[-1]), "/signup/invitation/")
    assert new != invited
    assert Client().get(path_of(invited)).status_code == 404
    browser = Client()
    browser.post(path_of(new))
    assert finish_signup(browser)["Location"] == "/signup/done/"


def test_a_revoked_invitation_can_be_sent_again(client, invited, smtp_server, sent_mail):
    invitation = Invitation.objects.get()
    invitations.revoke(invitations=Invitation.objects.all())
    client.post(CHANGELIST, {"action": "resend_selected", "_selected_action": [invitation.pk]})
    sent_mail()
    new = link_in(text_of(smtp_server.inbox.to("minji@example.com")[-1]), "/signup/invitation/")
    assert Client().get(path_of(new)).status_code == 200
    assert Invitation.objects.get().status == InvitationStatus.SENT


def test_many_addresses_at_once_report_duplicates_and_accounts(client, inviter, make_user, sent_mail):
    make_user("member", "member@example.com")
    invite(client, "old@example.com")
    page = invite(
        client, "new@example.com", "", "NEW@example.com", "member@EXAMPLE.com", "old@example.com", "two@example.org"
    ).content.decode()
    assert "Invited 2 addresses." in page
    assert "Not invited, already an account: member@example.com" in page
    assert "already invited" in page and "old@example.com" in page
    assert "Listed more than once, invited once: NEW@example.com" in page
    assert sorted(Invitation.objects.values_list("email", flat=True)) == [
        "new@example.com",
        "old@example.com",
        "two@example.org",
    ]
    assert len(sent_mail()) == 3


def test_a_bad_line_is_refused_with_its_reason_and_nothing_is_sent(client, inviter):
    response = client.post(ADD, {"addresses": "good@example.com\nnot-an-address\nx@mailinator.com", "language": "en"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Line 2 (not-an-address)" in page and "Line 3 (x@mailinator.com)" in page and "throwaway" in page
    assert not Invitation.objects.exists()


def test_staff_without_the_permission_cannot_invite(client):
    user = User.objects.create_user("viewer", "viewer@example.com", PASSWORD, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_invitation"))
    client.force_login(user)
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, {"addresses": "a@example.com", "language": "en"}).status_code == 403
    assert not Invitation.objects.exists()


def test_the_invitation_mail_is_in_the_chosen_language(client, inviter, smtp_server, sent_mail):
    invite(client, "minji@example.com", language="ko")
    sent_mail()
    [message] = smtp_server.inbox.messages
    assert message["Subject"].strip() == "[Maru] 회원가입 초대"
    assert "14일" in text_of(message)


def test_admin_actions_cost_the_same_queries_for_3_or_300_invitations(client, inviter):
    def run(action, count):
        Invitation.objects.all().delete()
        invitations.invite(
            emails=[f"person{number}@example.com" for number in range(count)],
            invited_by=inviter,
            language="en",
            origin="http://testserver",
        )
        selected = {"_selected_action": [Invitation.objects.first().pk], "select_across": "1", "index": "0"}
        with CaptureQueriesContext(connection) as captured:
            response = client.post(CHANGELIST, {"action": action, **selected})
        assert response.status_code == 302
        return len(captured)

    for action in ("revoke_selected", "resend_selected"):
        assert run(action, 3) == run(action, 300), action

    with CaptureQueriesContext(connection) as few:
        invite(client, *(f"a{number}@example.com" for number in range(3)))
    with CaptureQueriesContext(connection) as many:
        invite(client, *(f"b{number}@example.com" for number in range(300)))
    # One query per batch of rows written (the database's limit on parameters), none per address.
    assert len(many) <= len(few) + 3


# The modes -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mode, heading",
    [("invite", "Signup is by invitation"), ("closed", "Signup is closed"), ("waitlist", "Join the waitlist")],
)
def test_without_an_invitation_each_mode_shows_its_page(client, settings, mode, heading):
    settings.SIGNUP_MODE = mode
    for path in ("/signup/", "/signup/account/"):
        response = client.get(path)
        assert response.status_code == 200 and heading in response.content.decode(), path
    posted = client.post("/signup/account/", step_data("account", **ACCOUNT))
    assert posted.status_code == 403 and heading in posted.content.decode()
    assert not User.objects.filter(username="minji").exists()


@pytest.mark.parametrize(
    "mode, heading", [("invite", "초대받은 분만 회원가입할 수 있습니다"), ("closed", "회원가입을 받지 않습니다")]
)
def test_each_mode_page_in_korean(client, settings, mode, heading):
    settings.SIGNUP_MODE = mode
    client.cookies["django_language"] = "ko"
    page = client.get("/signup/").content.decode()
    assert heading in page and 'lang="ko"' in page


def test_open_mode_is_as_before(client):
    assert client.get("/signup/").status_code == 302
    assert "Signup is" not in client.get("/signup/account/").content.decode()


@pytest.mark.parametrize("mode", ["invite", "closed"])
def test_an_invitation_lets_its_browser_in_whatever_the_mode(invited, settings, mode):
    settings.SIGNUP_MODE = mode
    browser = Client()
    browser.post(path_of(invited))
    # Start over clears the answers, not the invitation that let this browser in.
    browser.post("/signup/start-over/")
    assert browser.get("/signup/account/").status_code == 200
    assert "Signup is" not in browser.get("/signup/account/").content.decode()
    assert finish_signup(browser, account={**ACCOUNT, "email": "minji@example.com"})["Location"] == "/signup/done/"
    assert Invitation.objects.get().status == InvitationStatus.USED
    # Once used, this browser is shown the mode's page like anyone (logging out first).
    browser.post("/logout/")
    assert "Signup is" in browser.get("/signup/account/").content.decode()
