"""Risk signals beyond the first request: many signups from one browser (its device cookie), a confirmation mail
the server refused (a bounce), and a confirmation link that expired without anyone opening it."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from onboarding import links
from onboarding.models import Profile, RiskLevel, User
from onboarding.review import devices, risk
from onboarding.review.risk import add_reason, mark_unconfirmed
from tests.conftest import ACCOUNT, step_data, walk_wizard
from tests.test_risk import fresh_network

pytestmark = pytest.mark.django_db


def sign_up(client, username):
    walk_wizard(client, account={**ACCOUNT, "username": username, "email": f"{username}@example.com"})
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):  # not "faster than a person"
        response = client.post("/signup/confirm/", step_data("confirm", accept_terms="on"))
    assert response["Location"] == "/signup/done/"
    client.post("/logout/")  # the next account from the same browser (the test client's logout() drops every cookie)
    return Profile.objects.get(user__username=username)


def test_several_signups_from_one_browser_are_flagged_and_only_a_hash_is_kept():
    client = Client(REMOTE_ADDR=fresh_network())
    profiles = [sign_up(client, f"dev{n}") for n in range(risk.DEVICE_SIGNUPS)]
    cookie = client.cookies[devices.cookie_name()]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and int(cookie["max-age"]) > 365 * 24 * 3600
    assert ["busy_device" in p.risk_reasons for p in profiles] == [False] * (risk.DEVICE_SIGNUPS - 1) + [True]
    # Another browser on the same network is its own device.
    other = sign_up(Client(REMOTE_ADDR=fresh_network()), "elsewhere")
    assert "busy_device" not in other.risk_reasons
    # The id itself is nowhere on the server: not on the profile, not as a counter key.
    assert cookie.value not in str(Profile.objects.values_list("risk_reasons", flat=True))


def test_a_forged_device_cookie_is_replaced():
    client = Client(REMOTE_ADDR=fresh_network())
    client.cookies[devices.cookie_name()] = "x' OR 1=1"
    sign_up(client, "forged")
    assert devices._ID.fullmatch(client.cookies[devices.cookie_name()].value)


def test_a_refused_confirmation_mail_raises_the_level(smtp_server, sent_mail):
    async def refuse(server, session, envelope, address, rcpt_options):
        return "550 No such user here"

    smtp_server.inbox.handle_RCPT = refuse
    client = Client(REMOTE_ADDR=fresh_network())
    profile = sign_up(client, "bounced")
    assert "confirmation_bounced" not in profile.risk_reasons
    sent_mail()
    profile.refresh_from_db()
    assert "confirmation_bounced" in profile.risk_reasons
    assert profile.risk_level in (RiskLevel.MEDIUM, RiskLevel.HIGH)


def test_a_link_nobody_opened_raises_the_level_once_it_expired():
    client = Client(REMOTE_ADDR=fresh_network())
    unconfirmed = sign_up(client, "silent")
    confirmed = sign_up(client, "talkative")
    User.objects.filter(pk=confirmed.user_id).update(email_verified_at=timezone.now())
    days = links.lifetimes()["confirm_email_days"]

    assert mark_unconfirmed(now=timezone.now() + timedelta(days=days) - timedelta(hours=1)) == 0  # still valid
    later = timezone.now() + timedelta(days=days, hours=1)
    with time_machine.travel(later):
        call_command("mark_unconfirmed_signups", stdout=open("/dev/null", "w"))
    assert mark_unconfirmed(now=later) == 0  # once
    unconfirmed.refresh_from_db()
    confirmed.refresh_from_db()
    assert "confirmation_expired" in unconfirmed.risk_reasons
    assert "confirmation_expired" not in confirmed.risk_reasons
    assert not add_reason(user_id=unconfirmed.user_id, code="confirmation_expired")
