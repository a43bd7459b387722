"""The wizard survives real people: resume, back, change, expiry, tampering, double submits and races."""

import re
import threading

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client, override_settings

from onboarding.models import Profile, User
from tests.conftest import ACCOUNT, PASSWORD, PROFILE, WIZARD_KEY, expire_session, signup_state, step_data
from tests.hashers import CountingArgon2PasswordHasher

pytestmark = pytest.mark.django_db


def wizard(client):
    return client.session[WIZARD_KEY]


def page_text(response):
    return response.content.decode()


def wizard_id(client):
    return signup_state(client).wizard_id


# 1. Resume -----------------------------------------------------------------


def test_returning_person_lands_where_they_left_with_answers_filled_in(signup, client):
    signup(until="confirm")
    client.get("/signup/profile/")  # they were looking at the profile step when interrupted

    response = client.get("/signup/")
    assert response["Location"] == "/signup/profile/"
    profile = page_text(client.get("/signup/profile/"))
    assert 'value="Kim Minji"' in profile
    account = page_text(client.get("/signup/account/"))
    assert 'value="minji"' in account and 'value="minji@example.com"' in account


def test_no_get_erases_progress(signup, client):
    signup(until="confirm")
    before = wizard(client)["step_data"]
    for url in ("/signup/", "/signup/account/", "/signup/profile/", "/signup/confirm/", "/signup/start-over/", "/"):
        client.get(url)
    assert wizard(client)["step_data"] == before


def test_start_over_is_a_post_that_clears_everything(signup, client):
    signup(until="confirm")
    response = client.post("/signup/start-over/", follow=True)
    assert response.redirect_chain[-1][0] == "/signup/account/"
    assert "Your answers have been deleted" in page_text(response)
    assert "minji" not in page_text(response)
    assert WIZARD_KEY not in client.session  # a new one starts with the next answer sent (finding 8)
    assert client.get("/signup/confirm/")["Location"] == "/signup/account/"


# 2. Back keeps input ------------------------------------------------------------


def test_back_keeps_what_was_typed_without_validating_it(signup, client):
    signup(until="profile")
    response = client.post(
        "/signup/profile/",
        {
            **step_data("profile", real_name="", preferred_name="Half typed", phone="bad"),
            "wizard_goto_step": "account",
        },
    )
    assert response["Location"] == "/signup/account/"
    account = page_text(client.get("/signup/account/"))
    assert 'value="minji"' in account
    assert "There is a problem" not in account

    # Next from account (passwords left blank: the stored one is kept) brings the typed input back.
    response = client.post("/signup/account/", step_data("account", username="minji", email="minji@example.com"))
    assert response["Location"] == "/signup/profile/"
    profile = page_text(client.get("/signup/profile/"))
    assert 'value="Half typed"' in profile and 'value="bad"' in profile
    assert "There is a problem" not in profile


def test_back_from_confirm_keeps_the_profile_complete(signup, client):
    signup(until="confirm")
    response = client.post("/signup/confirm/", {**step_data("confirm"), "wizard_goto_step": "profile"})
    assert response["Location"] == "/signup/profile/"
    assert 'value="Kim Minji"' in page_text(client.get("/signup/profile/"))
    assert client.get("/signup/confirm/").status_code == 200


# 3. Every POST redirects; invalid posts keep what was typed -----------------------------


def test_every_valid_post_redirects_so_reload_never_reposts(client):
    client.get("/signup/")
    for step, fields in (("account", ACCOUNT), ("profile", PROFILE)):
        assert client.post(f"/signup/{step}/", step_data(step, **fields)).status_code == 302


def test_invalid_input_is_kept_for_a_person_who_leaves_and_comes_back(signup, client):
    signup(until="profile")
    client.post("/signup/profile/", step_data("profile", real_name="", preferred_name="Minnie"))
    assert 'value="Minnie"' in page_text(client.get("/signup/profile/"))


def test_wizard_pages_are_never_cached(client):
    response = client.get("/signup/account/")
    assert "no-store" in response["Cache-Control"]


# 4. Change from the summary ---------------------------------------------------------


def test_confirm_has_a_named_change_link_for_every_answer(signup, client):
    signup(until="confirm")
    page = page_text(client.get("/signup/confirm/"))
    names = re.findall(r'>Change<span class="visually-hidden"> ([^<]+)</span>', page)
    assert names == ["username", "email address", "password", "full name", "preferred name", "phone number"]


def test_change_from_summary_returns_to_confirm(signup, client):
    signup(until="confirm")
    page = page_text(client.get("/signup/confirm/"))
    change_email = re.search(r'href="([^"]+)">Change<span class="visually-hidden"> email address', page).group(1)
    assert change_email.startswith("/signup/account/?return=confirm")

    account = page_text(client.get(change_email.split("#")[0]))
    assert 'value="minji@example.com"' in account
    # A new email address: the password is typed again, to be checked against it.
    changed = step_data("account", username="minji", email="new@example.com", password1=PASSWORD, password2=PASSWORD)
    response = client.post("/signup/account/?return=confirm", changed)
    assert response["Location"] == "/signup/confirm/"
    assert "new@example.com" in page_text(client.get("/signup/confirm/"))


def test_change_returns_to_the_next_unfinished_step_when_one_is_incomplete(signup, client):
    signup(until="profile")
    response = client.post("/signup/account/?return=confirm", step_data("account", **ACCOUNT))
    assert response["Location"] == "/signup/profile/"


# 5. No secret at rest ---------------------------------------------------------------


@pytest.mark.argon2
@pytest.mark.parametrize(
    "engine",
    [
        "django.contrib.sessions.backends.db",
        "onboarding.infra.db_sessions",
        "django.contrib.sessions.backends.cache",
        "django.contrib.sessions.backends.cached_db",
        "django.contrib.sessions.backends.signed_cookies",
    ],
)
def test_session_never_holds_the_password_token_or_foreign_fields(engine, client):
    with override_settings(SESSION_ENGINE=engine):
        client.get("/signup/account/")
        csrf_token = client.cookies[settings.CSRF_COOKIE_NAME].value
        extra = {"csrfmiddlewaretoken": csrf_token, "smuggled": "x", "account-is_staff": "on"}
        client.post("/signup/account/", {**step_data("account", **ACCOUNT), **extra})
        client.post("/signup/profile/", {**step_data("profile", **PROFILE), **extra})
        client.post("/signup/confirm/", {**step_data("confirm"), **extra})  # invalid: terms not accepted

        state = wizard(client)
        stored = repr(dict(client.session.items()))
        assert PASSWORD not in stored
        assert csrf_token not in stored
        assert "smuggled" not in stored and "is_staff" not in stored and "current_step" not in stored
        assert set(state["step_data"]["account"]) == {"account-username", "account-email"}
        assert signup_state(client).password_hash.startswith("argon2$")

        client.post("/signup/confirm/", step_data("confirm", accept_terms="on"))
        assert User.objects.get().username == "minji"


def test_revisited_account_step_shows_empty_passwords_and_keeps_the_stored_one(signup, client):
    signup(until="confirm")
    stored_hash = signup_state(client).password_hash
    page = page_text(client.get("/signup/account/"))
    assert PASSWORD not in page
    assert "Leave both password fields blank to keep the password you chose." in page
    assert not re.search(r'name="account-password1"[^>]*value=', page)

    client.post("/signup/account/", step_data("account", username="minji", email="minji@example.com"))
    assert signup_state(client).password_hash == stored_hash
    client.post("/signup/confirm/", step_data("confirm", accept_terms="on"))
    assert User.objects.get().password == stored_hash


@pytest.mark.argon2
@override_settings(PASSWORD_HASHERS=["tests.hashers.CountingArgon2PasswordHasher"])
def test_password_is_hashed_once_each_time_it_is_typed_and_never_at_the_end(signup, client):
    CountingArgon2PasswordHasher.calls = 0
    signup(until="confirm")
    assert CountingArgon2PasswordHasher.calls == 1

    client.post("/signup/account/", step_data("account", username="minji", email="minji@example.com"))
    assert CountingArgon2PasswordHasher.calls == 1  # left blank: nothing to hash

    new_password = "another fine sentence 7"
    client.post(
        "/signup/account/",
        step_data(
            "account", username="minji", email="minji@example.com", password1=new_password, password2=new_password
        ),
    )
    assert CountingArgon2PasswordHasher.calls == 2

    client.post("/signup/account/", step_data("account", username="", email="x", password1="abc", password2="abc"))
    assert CountingArgon2PasswordHasher.calls == 2  # an invalid step hashes nothing

    client.post("/signup/account/", step_data("account", username="minji", email="minji@example.com"))
    client.post("/signup/profile/", step_data("profile", **PROFILE))
    client.post("/signup/confirm/", step_data("confirm", accept_terms="on"))
    assert CountingArgon2PasswordHasher.calls == 2
    assert User.objects.get().check_password(new_password)


# 6. Expired session ---------------------------------------------------------------------


def test_post_into_an_expired_session_lands_on_the_first_step_with_a_message(signup, client):
    signup(until="profile")
    expire_session(client.session.session_key)

    response = client.post("/signup/profile/", step_data("profile", **PROFILE), follow=True)
    assert response.redirect_chain[-1][0] == "/signup/account/"
    page = page_text(response)
    assert "Your session expired" in page
    assert "There is a problem" not in page and "Enter a username." not in page
    assert response.status_code == 200
    assert User.objects.count() == 0
    # What was typed on the expired step is kept for when they get back to it.
    assert wizard(client)["step_data"]["profile"]["profile-real_name"] == ["Kim Minji"]


def test_expired_session_on_confirm_creates_nothing(signup, client):
    signup(until="confirm")
    expire_session(client.session.session_key)
    response = client.post("/signup/confirm/", step_data("confirm", accept_terms="on"))
    assert response["Location"] == "/signup/account/"
    assert User.objects.count() == 0


# 7. No skipping ahead --------------------------------------------------------------------


def test_later_steps_redirect_to_the_first_incomplete_one(client):
    assert client.get("/signup/confirm/")["Location"] == "/signup/account/"
    client.post("/signup/account/", step_data("account", **ACCOUNT))
    assert client.get("/signup/confirm/")["Location"] == "/signup/profile/"
    response = client.post("/signup/confirm/", step_data("confirm", accept_terms="on"))
    assert response["Location"] == "/signup/profile/"
    assert User.objects.count() == 0


# 8. Tampering ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"signup_wizard-current_step": "nonsense"},
        {"signup_wizard-current_step": "profile"},  # does not match the URL's step
        {"signup_wizard-current_step": "account", "wizard_goto_step": "nowhere"},
    ],
)
def test_tampered_management_data_gets_a_friendly_400(client, data):
    client.get("/signup/account/")
    response = client.post("/signup/account/", data)
    assert response.status_code == 400
    assert "Sorry, we could not understand that request" in page_text(response)


def test_unknown_step_in_the_url_is_a_friendly_404(client):
    response = client.get("/signup/nonsense/")
    assert response.status_code == 404
    assert "Page not found" in page_text(response)


# 9. The final step runs once --------------------------------------------------------------


def clone(client):
    """A second connection of the same browser: same cookies, separate request."""
    other = Client()
    other.cookies = client.cookies.__class__(client.cookies)
    return other


def test_second_create_account_after_the_first_lands_on_a_clear_page(signup, client):
    signup(until="confirm")
    stale_tab = clone(client)
    data = {**step_data("confirm", accept_terms="on"), "wizard_id": wizard_id(client)}

    assert client.post("/signup/confirm/", data)["Location"] == "/signup/done/"
    # Same browser, same (now logged-in) cookies: straight to the done page.
    assert client.post("/signup/confirm/", data)["Location"] == "/signup/done/"
    # A request still carrying the pre-login cookie: its session is gone, the account is not.
    response = stale_tab.post("/signup/confirm/", data, follow=True)
    assert response.redirect_chain[-1][0] == "/signup/already-created/"
    assert "This account has already been created" in page_text(response)
    assert User.objects.count() == 1


def run_together(*requests):
    """Run request functions at the same moment in real threads; return their responses."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def run(index, request):
        barrier.wait(timeout=10)
        try:
            results[index] = request()
        except Exception as error:  # reported below with the failing request
            results[index] = error
        finally:
            # The test client keeps a request's connection open; a thread's own would outlive the test
            # until garbage collection, and keep PostgreSQL from dropping the test database at the end.
            connection.close()

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_double_click_on_create_account_creates_one_user(signup, client):
    signup(until="confirm")
    tabs = [client, clone(client)]
    data = {**step_data("confirm", accept_terms="on"), "wizard_id": wizard_id(client)}

    responses = run_together(*(lambda tab=tab: tab.post("/signup/confirm/", data) for tab in tabs))

    assert [getattr(r, "status_code", r) for r in responses] == [302, 302]
    assert {r["Location"] for r in responses} <= {"/signup/done/", "/signup/already-created/"}
    assert User.objects.count() == 1 and Profile.objects.count() == 1
    for tab in tabs:
        page = tab.get("/signup/done/", follow=True)
        assert page.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_two_people_racing_for_one_username_one_wins_the_other_is_told():
    people = [Client(), Client()]
    for number, person in enumerate(people):
        account = {**ACCOUNT, "username": "sameName", "email": f"p{number}@example.com"}
        person.post("/signup/account/", step_data("account", **account))
        person.post("/signup/profile/", step_data("profile", **PROFILE))
    finish = step_data("confirm", accept_terms="on")

    responses = run_together(*(lambda p=p: p.post("/signup/confirm/", finish) for p in people))

    assert [getattr(r, "status_code", r) for r in responses] == [302, 302]
    locations = sorted(r["Location"] for r in responses)
    assert locations == ["/signup/account/", "/signup/done/"], locations
    assert User.objects.count() == 1 and Profile.objects.count() == 1
    loser = people[[r["Location"] for r in responses].index("/signup/account/")]
    page = page_text(loser.get("/signup/account/"))
    assert "That username is taken" in page
    assert 'value="sameName"' in page
    assert SESSION_KEY not in loser.session


# 10. Uniqueness, case-insensitive, on the step and at the end ----------------------------------------


def test_username_and_email_are_checked_on_the_account_step(existing_user, client):
    response = client.post(
        "/signup/account/", step_data("account", **{**ACCOUNT, "username": "TAKEN", "email": "Taken@Example.com"})
    )
    assert response.status_code == 200
    assert "That username is taken" in page_text(response)
    assert "An account with that email address already exists" in page_text(response)


def test_a_name_taken_while_the_person_was_on_later_steps_sends_them_back(make_user, signup, client):
    signup(until="confirm")

    make_user("MINJI", "other@example.com", password=None, real_name="Someone else")
    response = client.post("/signup/confirm/", step_data("confirm", accept_terms="on"))
    assert response["Location"] == "/signup/account/"
    page = page_text(client.get("/signup/account/"))
    assert "That username is taken" in page
    assert User.objects.count() == 1
    assert Profile.objects.count() == 1


# 11. Escaping -------------------------------------------------------------------------------------


def test_answers_are_escaped_on_confirm_and_done(signup, client):
    signup(until="done", profile={**PROFILE, "real_name": "<script>alert(1)</script>"})
    done = page_text(client.get("/signup/done/"))
    assert "<script>alert(1)</script>" not in done
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in done


def test_answers_are_escaped_on_confirm(signup, client):
    signup(until="confirm", profile={**PROFILE, "preferred_name": '"><b>bold</b>'})
    page = page_text(client.get("/signup/confirm/"))
    assert "<b>bold</b>" not in page
    assert "&quot;&gt;&lt;b&gt;bold&lt;/b&gt;" in page


# 12. Two tabs ---------------------------------------------------------------------------------------


def test_a_second_tab_sees_the_same_wizard(signup, client):
    signup(until="confirm")
    second_tab = clone(client)
    assert second_tab.get("/signup/")["Location"] == "/signup/confirm/"
    assert "Kim Minji" in page_text(second_tab.get("/signup/confirm/"))


def test_a_tab_left_behind_after_start_over_cannot_mix_into_the_new_wizard(signup, client):
    signup(until="profile")
    old_id = wizard_id(client)
    client.post("/signup/start-over/")
    client.get("/signup/account/")

    response = client.post("/signup/profile/", {**step_data("profile", **PROFILE), "wizard_id": old_id}, follow=True)
    assert response.redirect_chain[-1][0] == "/signup/account/"
    assert "changed in another tab or window" in page_text(response)
    assert WIZARD_KEY not in client.session  # nothing mixed in: the new signup starts with its first answer


def test_signed_in_people_are_not_offered_a_second_signup(signup, client):
    signup(until="done")
    session = client.session
    del session["success_id"]
    session.save()
    response = client.get("/signup/account/", follow=True)
    assert response.redirect_chain[-1][0] == "/account/"
    assert "You are logged in as minji" in page_text(response)
