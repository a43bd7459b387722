"""Mail that cannot be used to flood, and a reset that costs the same either way (second review, findings 6, 7)."""

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from onboarding.limits import address_mail_limited
from tests.hashers import CountingArgon2PasswordHasher
from tests.servers import client_address
from tests.test_email_verification import walk

pytestmark = pytest.mark.django_db

# One mailbox, spelt as a fullwidth letter or a case apart: the account is found by each of them.
VARIANTS = ["minji@example.com", "minji@ｅxample.com", "minji@eｘample.com", "MINJI@EXAMPLE.COM", "ｍinji@example.com"]


@pytest.fixture
def minji(make_user):
    return make_user(real_name="Minji")


def test_spellings_of_one_address_share_one_quota(settings):
    settings.EMAIL_RATE_LIMIT_PER_ADDRESS = "3/h"
    request = RequestFactory().post("/", REMOTE_ADDR=client_address(3600))
    limited = [address_mail_limited(request, group="test", address=address) for address in VARIANTS]
    assert limited == [False, False, False, True, True]


def test_reset_mails_to_variants_of_one_address_stop_at_the_limit(settings, minji, sent_mail):
    settings.EMAIL_RATE_LIMIT_PER_ADDRESS = "3/h"
    for address in VARIANTS[:4]:  # the form refuses a fullwidth local part
        response = Client(REMOTE_ADDR=client_address(3600)).post("/password-reset/", {"email": address})
        assert response["Location"] == "/password-reset/sent/"
    # Before, each spelling had a quota of its own: four reset mails against a limit of three.
    assert len([mail for mail in sent_mail() if mail.to == ["minji@example.com"]]) == 3


def test_the_taken_address_notice_is_limited_per_address(settings, sent_mail):
    settings.SIGNUP_EMAIL_VERIFICATION = "mandatory"
    settings.EMAIL_RATE_LIMIT_PER_ADDRESS = "2/h"
    walk(Client(REMOTE_ADDR=client_address(3600)), "minji", "minji@example.com")
    sent_mail()
    for number, address in enumerate(VARIANTS[:4]):
        response, _work = walk(Client(REMOTE_ADDR=client_address(3600)), f"hana{number}", address)
        assert response["Location"] == "/signup/done/"
    notices = [mail for mail in sent_mail() if "Someone tried to sign up" in mail.subject]
    assert len(notices) == 2


def reset_work(address):
    """What asking for a reset costs the server: password hashes, queries, templates rendered, task rows."""
    rendered = []

    def count(sender, **kwargs):
        rendered.append(kwargs["template"].name)

    template_rendered.connect(count)
    CountingArgon2PasswordHasher.reset()
    rows = DBTaskResult.objects.count()
    try:
        with CaptureQueriesContext(connection) as queries:
            response = Client(REMOTE_ADDR=client_address(3600)).post("/password-reset/", {"email": address})
    finally:
        template_rendered.disconnect(count)
    assert response["Location"] == "/password-reset/sent/"
    mail_templates = sorted(name for name in rendered if name.startswith("onboarding/email/"))
    return CountingArgon2PasswordHasher.work(), len(queries), mail_templates, DBTaskResult.objects.count() - rows


@pytest.mark.argon2
def test_a_reset_costs_the_same_for_a_registered_and_an_unregistered_address(settings, minji, sent_mail):
    settings.PASSWORD_HASHERS = ["tests.hashers.CountingArgon2PasswordHasher"]
    minji.set_password("a fine long password 12")
    minji.save()
    registered, unregistered = reset_work("minji@example.com"), reset_work("nobody@example.com")
    assert registered == unregistered
    assert registered[2] == []  # neither request renders the mail: the worker does, for the real one only
    assert registered[3] == 1
    # Only the registered address gets mail; the other task sends nothing.
    assert [mail.to for mail in sent_mail()] == [["minji@example.com"]]
