"""On PostgreSQL: the database failing during "Create account", /healthz, and the username race with real threads."""

import threading
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import Client

from onboarding.models import Profile, User
from tests.conftest import ACCOUNT, PASSWORD, PROFILE, WIZARD_KEY, step_data, walk_wizard
from tests.servers import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CREATE = step_data("confirm", accept_terms="on")


@contextmanager
def database_refusing_connections():
    """Point Django's connection at a port nobody listens on, as if PostgreSQL went away; then bring it back."""
    settings_dict = connection.settings_dict
    port = settings_dict["PORT"]
    connection.close()
    settings_dict["PORT"] = str(free_port())
    try:
        yield
    finally:
        connection.close()
        settings_dict["PORT"] = port


@contextmanager
def connection_killed_while_writing_the_profile():
    """The server ends our connection between the user's INSERT and the profile's, inside create_account."""
    table = Profile._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_end_own_connection() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$"
        )
        cursor.execute(
            f"CREATE TRIGGER test_end_own_connection BEFORE INSERT ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION test_end_own_connection()"
        )
    try:
        yield
    finally:
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER IF EXISTS test_end_own_connection ON {table}")
            cursor.execute("DROP FUNCTION IF EXISTS test_end_own_connection()")


def assert_friendly_503(response):
    assert response.status_code == 503
    page = response.content.decode()
    assert "Sorry, the service is unavailable" in page
    assert "The answers you gave on earlier steps are kept" in page and "Carry on with your signup" in page
    for detail in ("Traceback", "OperationalError", "psycopg", "5432", "terminat"):
        assert detail not in page


def assert_answers_kept_and_retry_works(client):
    confirm = client.get("/signup/confirm/")
    assert confirm.status_code == 200
    for answer in (ACCOUNT["username"], ACCOUNT["email"], PROFILE["real_name"], PROFILE["phone"]):
        assert answer in confirm.content.decode()
    assert client.post("/signup/confirm/", CREATE)["Location"] == "/signup/done/"
    user = User.objects.get()
    assert (user.username, user.email, user.profile.real_name) == (ACCOUNT["username"], ACCOUNT["email"], "Kim Minji")
    assert "Welcome, Minji!" in client.get("/signup/done/").content.decode()


def test_database_down_at_create_account_shows_503_and_a_retry_works(signup):
    client = signup(until="confirm")
    client.raise_request_exception = False  # see the page a person would see

    with database_refusing_connections():
        response = client.post("/signup/confirm/", CREATE)

    assert_friendly_503(response)
    assert User.objects.count() == 0
    assert_answers_kept_and_retry_works(client)


def test_connection_lost_in_the_middle_of_create_account_writes_nothing(signup):
    client = signup(until="confirm")
    client.raise_request_exception = False

    with connection_killed_while_writing_the_profile():
        response = client.post("/signup/confirm/", CREATE)

    assert_friendly_503(response)
    # The user row was inserted before the connection died: the transaction took it back.
    assert User.objects.count() == 0
    assert Profile.objects.count() == 0
    assert_answers_kept_and_retry_works(client)


def test_healthz_answers_503_without_details_when_the_database_is_down(client):
    assert client.get("/healthz").status_code == 200
    with database_refusing_connections():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"unavailable\n"
    assert client.get("/healthz").status_code == 200


def walk_to_confirm(username, email):
    return walk_wizard(Client(), account={**ACCOUNT, "username": username, "email": email})


@pytest.mark.parametrize("username", ["racer", "Racer2"])
def test_two_people_racing_for_one_username_get_one_account_and_one_clear_error(username):
    # Different letter case on the second one: the database's case-insensitive constraint decides.
    clients = [
        walk_to_confirm(username, "first@example.com"),
        walk_to_confirm(username.swapcase(), "second@example.com"),
    ]
    barrier = threading.Barrier(2, timeout=20)
    responses = [None, None]

    def create_account(index):
        try:
            barrier.wait()
            responses[index] = clients[index].post("/signup/confirm/", CREATE)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=create_account, args=(index,)) for index in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)

    assert sorted(response.status_code for response in responses) == [302, 302]  # no 500
    locations = [response["Location"] for response in responses]
    assert sorted(locations) == ["/signup/account/", "/signup/done/"]
    assert User.objects.filter(username__iexact=username).count() == 1

    winner, loser = (clients[0], clients[1]) if locations[0] == "/signup/done/" else (clients[1], clients[0])
    assert User.objects.get().email == winner.session["success_email"]
    page = loser.get("/signup/account/").content.decode()
    assert "That username is taken. Choose a different username." in page
    assert "There is a problem" in page
    assert "_auth_user_id" not in loser.session
    # The loser picks another name, types the password again (it is checked against the new name),
    # and carries on with the answers they already gave.
    retyped = {"password1": PASSWORD, "password2": PASSWORD}
    fixed = loser.post(
        "/signup/account/", step_data("account", username=f"{username}-2", email=loser_email(loser), **retyped)
    )
    assert fixed.status_code == 302
    assert loser.post("/signup/confirm/", CREATE)["Location"] == "/signup/done/"
    assert User.objects.count() == 2


def loser_email(client):
    return client.session[WIZARD_KEY]["step_data"]["account"]["account-email"][0]
