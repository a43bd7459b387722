"""Fault tests for sessions in Redis: a Redis of the test's own, paused (SIGSTOP) while people use the site.

A short stall is ridden out; a longer one is our 503 page within 15 s, with the session (and its cookie)
left as it was, so that the person is still logged in and their answers are still there afterwards.
A fault right after "Create account" committed says the account exists, and its mail goes once.
"""

import threading
import time

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django_tasks_db.models import DBTaskResult

from onboarding.models import User
from onboarding.signup.drafts import create_account_from_signup
from tests.conftest import ACCOUNT, PROFILE, step_data
from tests.faults import RedisServer

pytestmark = [pytest.mark.redis, pytest.mark.django_db]

CREATE = step_data("confirm", accept_terms="on")


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def own_redis(redis_server, settings):
    """The site's cache and sessions on the test's own Redis, with production's timeouts."""
    cache = {**django_settings.CACHES["default"], "LOCATION": redis_server.url}
    settings.CACHES = {"default": cache, "ratelimit": cache}
    settings.SESSION_ENGINE = "onboarding.infra.sessions"
    return redis_server


def timed(request):
    started = time.monotonic()
    response = request()
    return response, time.monotonic() - started


def wizard_at_profile():
    client = Client(raise_request_exception=False)
    client.get("/signup/")
    assert client.post("/signup/account/", step_data("account", **ACCOUNT))["Location"] == "/signup/profile/"
    return client


def assert_our_503(response, elapsed):
    assert response.status_code == 503 and elapsed < 15, (response.status_code, elapsed)
    page = response.content.decode()
    assert "Sorry, the service is unavailable" in page
    for detail in ("Traceback", "TimeoutError", "redis", "6379"):
        assert detail not in page
    # The cookie is neither replaced nor deleted: the session is still in Redis.
    assert django_settings.SESSION_COOKIE_NAME not in response.cookies


def test_a_redis_stall_of_three_seconds_is_ridden_out(own_redis):
    client = wizard_at_profile()
    own_redis.pause()
    # The server resumes while the request waits: redis-py tries once more after its 2 s timeout.
    resume = threading.Timer(3.0, own_redis.resume)
    resume.start()
    try:
        response, elapsed = timed(lambda: client.post("/signup/profile/", step_data("profile", **PROFILE)))
    finally:
        resume.join()
    assert response.status_code == 302 and response["Location"] == "/signup/confirm/", response.status_code
    assert elapsed < 15
    page = client.get("/signup/confirm/").content.decode()
    assert ACCOUNT["username"] in page and PROFILE["real_name"] in page


def test_a_longer_redis_outage_is_our_503_and_nobody_is_logged_out_or_loses_answers(own_redis, existing_user):
    signed_in = Client(raise_request_exception=False)
    signed_in.force_login(existing_user)
    assert signed_in.get("/account/").status_code == 200
    mid_wizard = wizard_at_profile()

    own_redis.pause()
    try:
        account, elapsed = timed(lambda: signed_in.get("/account/"))
        assert_our_503(account, elapsed)
        step, elapsed = timed(lambda: mid_wizard.post("/signup/profile/", step_data("profile", **PROFILE)))
        assert_our_503(step, elapsed)
        assert "Carry on with your signup" in step.content.decode()
    finally:
        own_redis.resume()

    # Afterwards: still logged in, and the wizard is where it was, with its answers.
    assert signed_in.get("/account/").status_code == 200
    profile = mid_wizard.get("/signup/profile/")
    assert profile.status_code == 200  # not sent back to the first step
    assert mid_wizard.post("/signup/profile/", step_data("profile", **PROFILE))["Location"] == "/signup/confirm/"
    assert ACCOUNT["email"] in mid_wizard.get("/signup/confirm/").content.decode()


def test_a_fault_right_after_create_account_says_the_account_exists_and_its_mail_goes_once(
    own_redis, monkeypatch, sent_mail
):
    client = wizard_at_profile()
    assert client.post("/signup/profile/", step_data("profile", **PROFILE))["Location"] == "/signup/confirm/"
    create_account = create_account_from_signup  # what the wizard's last step calls

    def create_then_lose_redis(**kwargs):
        user = create_account(**kwargs)
        own_redis.pause()  # committed; everything after it (funnel, login, the session) meets a frozen Redis
        return user

    monkeypatch.setattr("onboarding.signup.finish.create_account_from_signup", create_then_lose_redis)
    try:
        response, elapsed = timed(lambda: client.post("/signup/confirm/", CREATE))
    finally:
        own_redis.resume()
        monkeypatch.setattr("onboarding.signup.finish.create_account_from_signup", create_account)
    assert_our_503(response, elapsed)
    page = response.content.decode()
    assert "Your account <strong>minji</strong> was created" in page
    assert "We are sending an email to <strong>minji@example.com</strong>" in page
    assert "nothing was changed" not in page and "Carry on with your signup" not in page
    assert User.objects.filter(username="minji").count() == 1
    # The confirmation mail was committed with the account.
    assert DBTaskResult.objects.filter(task_path="onboarding.mail.queue.send_mail").count() == 1

    # "Create account" again, now that Redis answers: "already created", never "that username is taken".
    # Only the request that created an account logs in to it (issue 18: one signup, one owner), so the
    # person logs in as the 503 page said.
    retry = client.post("/signup/confirm/", CREATE)
    assert retry.status_code == 302 and retry["Location"] == "/signup/already-created/"
    assert "This account has already been created" in client.get(retry["Location"]).content.decode()
    [mail] = sent_mail()
    assert mail.to == ["minji@example.com"] and "/email/confirm/" in mail.body
    assert len(sent_mail()) == 1  # one mail, however often it was pressed
    assert User.objects.count() == 1
