"""The second review's smaller signup findings: addresses in drafts by their key, quoted local parts, names in mail
to unproven addresses, passwords in error reports."""

import re
import sys

import pytest
from django.core.signals import got_request_exception
from django.test import Client
from django.views.debug import ExceptionReporter

from onboarding.models import SignupDraft, User
from onboarding.signup.forms import AccountForm
from tests.conftest import ACCOUNT, PASSWORD, PROFILE, step_data

pytestmark = pytest.mark.django_db

# Fullwidth ｅ and capitals: the same mailbox, and the same account, as minji@example.com.
VARIANT = "MINJI@ｅxample.com"


def test_finish_later_keeps_the_address_by_its_key_so_the_link_proves_it(signup, client, sent_mail):
    signup(until="confirm", account={**ACCOUNT, "email": VARIANT})
    client.post("/signup/confirm/", {**step_data("confirm"), "finish_later": "1"})
    draft = SignupDraft.objects.get()
    assert draft.email == "MINJI@example.com" and draft.email_key == "minji@example.com"

    path = re.search(r"(/signup/resume/[^\s]+/)", sent_mail()[-1].body).group(1)
    other = Client()
    other.get(path)
    other.post("/signup/account/?return=confirm", step_data("account", **{**ACCOUNT, "email": "minji@EXAMPLE.com"}))
    assert other.post("/signup/confirm/", step_data("confirm", accept_terms="on"))["Location"] == "/signup/done/"
    assert User.objects.get().email_verified_at is not None  # the address the link went to, spelled otherwise


def test_deleting_an_account_deletes_drafts_with_any_spelling_of_its_address(signup, client, sent_mail):
    asker = Client()
    asker.post("/signup/account/", step_data("account", **{**ACCOUNT, "username": "other", "email": VARIANT}))
    asker.post("/signup/profile/", step_data("profile", **PROFILE))
    asker.post("/signup/confirm/", {**step_data("confirm"), "finish_later": "1"})
    assert SignupDraft.objects.count() == 1
    signup(until="done")
    client.post("/account/delete/", {"current_password": PASSWORD, "confirm": "on"})
    assert not User.objects.exists()
    assert not SignupDraft.objects.exists()


@pytest.mark.parametrize("email", ['"minji"@example.com', '"Minji"@EXAMPLE.com', '"min\\"ji"@example.com'])
def test_a_quoted_local_part_is_refused_so_it_cannot_make_a_second_account(existing_user, email):
    form = AccountForm(data={f"account-{k}": v for k, v in {**ACCOUNT, "email": email}.items()}, prefix="account")
    assert not form.is_valid()
    assert form.errors.as_data()["email"][0].code == "email_quoted"
    assert "without quotation marks" in form.errors["email"][0]


def test_the_confirmation_mail_names_neither_the_person_nor_the_username(signup, sent_mail):
    profile = {**PROFILE, "preferred_name": "Your account will be closed"}
    signup(until="done", account={**ACCOUNT, "username": "KeepItAt"}, profile=profile)
    [mail] = sent_mail()
    html = mail.alternatives[0][0]
    for text in (mail.subject, mail.body, html):
        assert "KeepItAt" not in text and "will be closed" not in text and "Kim Minji" not in text
    assert mail.body.startswith("Hello,")


def test_error_reports_never_carry_the_typed_password(monkeypatch):
    reports = []

    def report(sender, request, **kwargs):
        reports.append(ExceptionReporter(request, *sys.exc_info()).get_traceback_text())

    monkeypatch.setattr(AccountForm, "identity", lambda form: 1 / 0)  # fails right after the password is hashed
    got_request_exception.connect(report)
    try:
        response = Client(raise_request_exception=False).post("/signup/account/", step_data("account", **ACCOUNT))
    finally:
        got_request_exception.disconnect(report)
    assert response.status_code == 500
    [text] = reports
    assert "ZeroDivisionError" in text and "account-password1" in text
    assert PASSWORD not in text
