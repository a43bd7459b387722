"""Unicode-safe identities on every database (findings 7 and 10's email domains)."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from onboarding.models import User
from tests.conftest import ACCOUNT, PASSWORD, step_data

pytestmark = pytest.mark.django_db

BEFORE = [("onboarding", "0005_admin_scale")]
AFTER = [("onboarding", "0006_identity_keys")]
# Wherever the app's migrations end now, so that the tests after these leave the schema complete.
LATEST = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes("onboarding")


def account_page(client, **account):
    client.get("/signup/")
    response = client.post("/signup/account/", step_data("account", **{**ACCOUNT, **account}))
    return response


@pytest.mark.parametrize(
    "first, second",
    [
        (("Ärger", "arger1@example.com"), ("ärger", "arger2@example.com")),  # SQLite's LOWER() folds ASCII only
        (("Straße", "s1@example.com"), ("STRASSE", "s2@example.com")),  # casefold, not lower
        (("alice", "alice@example.com"), ("alice2", "ALICE@ｅxample.com")),  # fullwidth ｅ
        (("dup1", "dup@äxample.com"), ("dup2", "dup@xn--xample-9ta.com")),  # one domain, two spellings
        (("Ｍinji", "m1@example.com"), ("minji", "m2@example.com")),  # fullwidth Ｍ
    ],
)
def test_the_database_refuses_a_second_spelling_of_one_identity(make_user, first, second):
    make_user(*first)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_user(*second)


def test_the_signup_form_says_taken_for_another_spelling(client, make_user):
    make_user("Ärger", "arger@example.com")
    assert "That username is taken." in account_page(client, username="ärger").content.decode()
    make_user("alice", "alice@example.com")
    page = account_page(client, email="ALICE@ｅxample.com").content.decode()
    assert "An account with that email address already exists." in page
    make_user("dup", "dup@äxample.com")
    assert (
        "An account with that email address already exists."
        in account_page(client, email="dup@xn--xample-9ta.com").content.decode()
    )


@pytest.mark.parametrize(
    "username, message",
    [
        ("рoot", "Your username mixes letters from different alphabets that look alike"),  # Cyrillic р
        ("pаypal", "Your username mixes letters from different alphabets that look alike"),  # Cyrillic а
        ("root", "“root” is kept for the site&#x27;s own use. Choose a different username."),
        ("Admin", "“Admin” is kept for the site&#x27;s own use. Choose a different username."),
        ("ｓｕｐｐｏｒｔ", "“support” is kept for the site&#x27;s own use."),  # fullwidth, normalised first
        ("min\u200bji", "Your username has a space or an invisible character in it."),
        ("min\u2060ji", "Your username has a space or an invisible character in it."),
    ],
)
def test_confusable_reserved_and_invisible_usernames_are_refused(client, username, message):
    response = account_page(client, username=username)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.parametrize("email", ["a@localhost", "a@[127.0.0.1]", "a@[IPv6:::1]", "a@intranet"])
def test_dotless_and_ip_literal_email_domains_are_refused(client, email):
    page = account_page(client, email=email).content.decode()
    assert "Use an email address at a domain name with a dot in it, like name@example.com." in page or (
        "Enter an email address in the right format" in page
    )
    assert "/signup/profile/" not in page


def test_korean_and_accented_names_are_welcome(signup):
    signup(until="done", account={**ACCOUNT, "username": "김민지", "email": "minji@예시.한국"})
    user = User.objects.get()
    assert user.username_key == "김민지"
    assert user.email_key.startswith("minji@xn--") and user.email == "minji@예시.한국"


def test_login_finds_the_account_in_any_spelling(client, make_user):
    make_user("Ärger", "arger@example.com", real_name="A")
    client.post("/login/", {"username": "ärger", "password": PASSWORD})
    assert "_auth_user_id" in client.session


def migrate(target):
    """Migrate to `target` with a fresh executor (an executor's graph is read once); the models of that state."""
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return MigrationExecutor(connection).loader.project_state(target).apps.get_model("onboarding", "User")


@pytest.mark.django_db(transaction=True)
def test_existing_rows_get_their_keys_and_clashes_stop_the_migration():
    old_user = migrate(BEFORE)
    old_user.objects.create(username="Ärger", email="Arger@Example.com", password="!")
    old_user.objects.create(username="dup", email="dup@äxample.com", password="!")
    new_user = migrate(AFTER)
    assert dict(new_user.objects.values_list("username", "username_key")) == {"Ärger": "ärger", "dup": "dup"}
    assert new_user.objects.get(username="dup").email_key == "dup@xn--xample-9ta.com"

    old_user = migrate(BEFORE)
    if connection.vendor == "sqlite":  # LOWER() folds ASCII only there, so the old constraint let this in
        old_user.objects.create(username="ärger", email="other@example.com", password="!")
        with pytest.raises(RuntimeError, match="Ärger .* and ärger"):
            migrate(AFTER)
        old_user.objects.filter(username="ärger").delete()
    migrate(LATEST)
    User.objects.all().delete()
