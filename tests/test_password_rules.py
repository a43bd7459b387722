"""Passwords to NIST SP 800-63B-4 (finding 9): length, no blank-looking, not guessable, not like the person, NFKC."""

import os
import subprocess
import sys
import unicodedata

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from onboarding.models import User
from tests.conftest import ACCOUNT, step_data
from tests.servers import REPO

pytestmark = pytest.mark.django_db

GUESSABLE = "Your password is on a list of common or leaked passwords, or is close to one, so it is easy to guess."
BLANK = "Your password is only spaces or invisible characters. Use letters, digits or symbols you can see."


def account_errors(client, password, **account):
    client.get("/signup/")
    data = {**ACCOUNT, "password1": password, "password2": password, **account}
    response = client.post("/signup/account/", step_data("account", **data))
    assert response.status_code == 200, "the step was accepted"
    return response.content.decode()


@pytest.mark.parametrize("password", ["P@ssw0rd!", "Summer2024", "Passw0rd!2024", "correcthorsebatterystaple"])
def test_leaked_and_common_passwords_are_refused_even_with_the_lowest_minimum(client, settings, password):
    settings.SIGNUP_PASSWORD_MIN_LENGTH = 8
    assert GUESSABLE in account_errors(client, password)


def test_the_reviews_other_example_is_too_short_by_default(client):
    # zxcvbn rates xkcd's "Tr0ub4dor&3" hard to guess (about 10^11 guesses); the length rule refuses it.
    page = account_errors(client, "Tr0ub4dor&3")
    assert "Your password is 11 characters long. Make it at least 15 characters" in page


@pytest.mark.parametrize(
    "password", [" " * 16, "\u200b" * 16, "\u3000\u200d" * 8], ids=["spaces", "zwsp", "ideographic"]
)
def test_blank_looking_passwords_are_refused(client, password):
    assert BLANK in account_errors(client, password)


def test_fifteen_characters_by_default_and_the_refusal_says_how_to_fix_it(client):
    page = account_errors(client, "violet tundra")
    assert "Your password is 13 characters long. Make it at least 15 characters" in page


def test_the_rules_are_listed_before_typing(client):
    page = client.get("/signup/account/", follow=True).content.decode()
    for rule in (
        "At least 15 characters. Any characters work, spaces too; none are required.",
        "Up to 128 characters.",
        "Not only spaces or invisible characters.",
        "Not like your username or email address.",
        "Not a common or leaked password, nor one easy to guess.",
    ):
        assert rule in page


def test_long_passwords_are_welcome_up_to_128(client, signup):
    long = "my grandmother's recipe for kimchi stew uses three kinds of pepper and one secret: patience 1957"
    assert len(long) > 64
    signup(until="done", account={**ACCOUNT, "password1": long, "password2": long})
    assert User.objects.get(username="minji").check_password(long)


def test_a_minimum_below_eight_is_refused_at_start():
    env = {**os.environ, "SIGNUP_PASSWORD_MIN_LENGTH": "6"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "SIGNUP_PASSWORD_MIN_LENGTH must be at least 8" in result.stderr


def test_a_password_typed_in_another_normalisation_form_still_logs_in(client, signup):
    # The same Korean words typed as composed syllables (a Windows keyboard) and as letters (jamo, macOS files).
    composed = "봄날의 고양이는 창가에서 잔다 7"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    signup(until="done", account={**ACCOUNT, "password1": decomposed, "password2": decomposed})
    client.post("/logout/")

    person = Client()
    person.post("/login/", {"username": "minji", "password": composed})
    assert SESSION_KEY in person.session
    # Fullwidth letters from an East Asian input method are the same password too.
    other = Client()
    other.post("/login/", {"username": "minji", "password": unicodedata.normalize("NFKC", composed)})
    assert SESSION_KEY in other.session
    assert User.objects.get(username="minji").check_password(decomposed)


def test_fullwidth_letters_are_the_same_password(client, signup):
    fullwidth = "ｃｏｒｒｅｃｔ horse battery 42"
    signup(until="done", account={**ACCOUNT, "password1": fullwidth, "password2": fullwidth})
    person = Client()
    person.post("/login/", {"username": "minji", "password": "correct horse battery 42"})
    assert SESSION_KEY in person.session
