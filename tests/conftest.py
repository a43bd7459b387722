"""Shared fixtures: wizard data, a signed-up user, and a real Chromium for browser tests."""

import os
import shutil

import pytest

from onboarding import services
from django.contrib.auth.hashers import make_password

# Playwright's sync API keeps an event loop running in the test thread; Django
# refuses database calls there unless told that this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct horse battery 42"
MANAGEMENT = "signup_wizard-current_step"


def step_data(step, **fields):
    """POST data for one wizard step, the way the page sends it."""
    return {MANAGEMENT: step, **{f"{step}-{name}": value for name, value in fields.items()}}


ACCOUNT = {"username": "minji", "email": "minji@example.com", "password1": PASSWORD, "password2": PASSWORD}
PROFILE = {"real_name": "Kim Minji", "preferred_name": "Minji", "phone": "+82 10 1234 5678"}


@pytest.fixture
def signup(client):
    """Walk the wizard with the Django test client; returns a function taking the step to stop before."""

    def walk(until=None, account=None, profile=None):
        client.get("/signup/")
        for step, fields in (("account", account or ACCOUNT), ("profile", profile or PROFILE)):
            if step == until:
                return client
            response = client.post(f"/signup/{step}/", step_data(step, **fields))
            assert response.status_code == 302, response.content.decode()
        if until == "done":
            response = client.post("/signup/confirm/", step_data("confirm", accept_terms="on"))
            assert response.status_code == 302
        return client

    return walk


@pytest.fixture
def existing_user(db):
    return services.create_account(
        username="Taken", email="taken@example.com", password_hash=make_password(PASSWORD), real_name="Taken Person"
    )


CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM}: run `apt-get install -y chromium` or set CHROMIUM_PATH."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_context(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(browser_context):
    return browser_context.new_page()
