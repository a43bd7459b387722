"""Requests after the second review (finding 10 and the code review): links never from the Host header,
SITE_URL required in production, passwords kept out of error reports."""

import os
import subprocess
import sys

import pytest
from django.test import Client
from django.views.debug import SafeExceptionReporterFilter

from tests.conftest import PASSWORD
from tests.mailserver import link_in
from tests.servers import REPO

pytestmark = pytest.mark.django_db


def test_a_mailed_link_never_follows_the_host_a_client_sent(settings, existing_user, sent_mail):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "testserver"]
    Client().post("/password-reset/", {"email": "taken@example.com"}, HTTP_HOST="127.0.0.1:6666")
    link = link_in(sent_mail()[-1].body, "/password-reset/")
    assert link.startswith(f"{settings.SITE_URL}/password-reset/")
    assert "6666" not in link


@pytest.mark.parametrize(
    ("site_url", "says"),
    [("", "Set SITE_URL to the site's public origin"), ("signup.example.com", "SITE_URL must be an origin")],
)
def test_production_refuses_to_start_without_a_site_url(site_url, says):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SITE_"))},
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "signup.example.com",
        "SITE_URL": site_url,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and says in result.stderr


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/login/", {"username": "Taken", "password": "a secret guess"}),
        ("/account/confirm/", {"current_password": "a secret guess"}),
        ("/account/password/", {"current_password": "a secret guess", "new_password1": "x", "new_password2": "x"}),
        ("/account/email/", {"email": "new@example.com", "current_password": "a secret guess"}),
        ("/account/delete/", {"current_password": "a secret guess", "confirm": "on"}),
        ("/admin/password_change/", {"old_password": "a secret guess", "new_password1": "x", "new_password2": "x"}),
    ],
)
def test_error_reports_never_carry_a_password(client, existing_user, path, data):
    if path != "/login/":
        existing_user.is_staff = True
        existing_user.save()
        client.force_login(existing_user)
    response = client.post(path, data)
    shown = SafeExceptionReporterFilter().get_post_parameters(response.wsgi_request)
    assert "a secret guess" not in str(dict(shown))
    assert PASSWORD not in str(dict(shown))
