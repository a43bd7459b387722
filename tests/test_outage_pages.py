"""The 503 page says what is known, in the words of the person reading it; /healthz proves it can write."""

import pytest
from django.db import OperationalError
from django.test import Client

from onboarding.models import User

pytestmark = pytest.mark.django_db


def outage_at(monkeypatch, view_path):
    """Make the view at `view_path` raise as if the database went away."""

    def down(*args, **kwargs):
        raise OperationalError("a test asked for a database outage")

    monkeypatch.setattr(view_path, down)


def test_the_admin_gets_its_own_wording(admin_client, monkeypatch):
    outage_at(monkeypatch, "django.contrib.admin.views.main.ChangeList.get_results")
    admin_client.raise_request_exception = False
    response = admin_client.get("/admin/onboarding/user/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    page = response.content.decode()
    assert "The admin could not finish this request" in page and "Back to the admin" in page
    assert "Carry on with your signup" not in page and "Your account" not in page


def test_other_pages_say_try_again_without_talking_about_a_signup(client, person, monkeypatch):
    outage_at(monkeypatch, "onboarding.account.views.AccountView.get")
    client.raise_request_exception = False
    page = client.get("/account/").content.decode()
    assert "Please try again in a few minutes." in page and "Go to the home page" in page
    assert "Carry on with your signup" not in page


def test_the_korean_page_for_an_account_that_was_made(monkeypatch, signup):
    from onboarding import funnel

    def lost_after_commit(started, **counts):
        raise OperationalError("the cache went away after the account was committed")

    monkeypatch.setattr(funnel, "created", lost_after_commit)
    client = signup(until="confirm")
    client.raise_request_exception = False
    client.cookies["django_language"] = "ko"
    response = client.post("/signup/confirm/", {"signup_wizard-current_step": "confirm", "confirm-accept_terms": "on"})
    assert response.status_code == 503
    page = response.content.decode()
    assert "<strong>minji</strong> 계정은 만들어졌습니다" in page and "다시 회원가입할 필요는 없습니다" in page
    assert User.objects.filter(username="minji").exists()


def test_healthz_fails_when_the_database_takes_no_write(client, monkeypatch, caplog):
    from onboarding.infra.cache import CounterCache

    def read_only(*args, **kwargs):
        raise OperationalError("attempt to write a readonly database")

    assert client.get("/healthz").status_code == 200
    monkeypatch.setattr(CounterCache, "set", read_only)
    response = Client().get("/healthz")
    assert response.status_code == 503 and response.content == b"unavailable\n"
    assert "readonly" in caplog.text
