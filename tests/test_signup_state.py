"""SignupState's rules, driven from plain dicts: no request, and no database except where a form checks one."""

import pytest
from django.contrib.auth.hashers import check_password
from django.http import QueryDict
from formtools.wizard.storage.session import SessionStorage

from onboarding.session_keys import ENDED_KEY, FINISHED_KEY, SIGNUP_WIZARD
from onboarding.signup.drafts import without_password
from onboarding.signup.forms import STEP_FORMS, AccountForm, step_form
from onboarding.signup.state import MANAGEMENT_FIELD, PREFIX, STEPS, SignupState, own_data
from tests.conftest import ACCOUNT, MANAGEMENT, PASSWORD, WIZARD_KEY


class Session(dict):
    """A session as far as the wizard cares: a dict whose key can be replaced."""

    modified = False

    def __init__(self, *args, session_key="a-stored-key", **kwargs):
        super().__init__(*args, **kwargs)
        self.session_key = session_key  # None: a session not stored yet (no cookie, or one that opened nothing)
        self.key_changes = 0

    def cycle_key(self):
        self.key_changes += 1


def posted(step, **fields):
    """POST data as a request carries it."""
    data = QueryDict(mutable=True)
    data.update({f"{step}-{name}": value for name, value in fields.items()})
    return data


def answered(*valid, current=None, **step_data):
    """A session holding a signup with these steps answered validly (as formtools' storage lays it out)."""
    wizard = {
        "step": current,
        "step_data": {step: data for step, data in step_data.items()},
        "step_files": {},
        "extra_data": {"id": "wizard-1", "valid": list(valid)},
    }
    return {SIGNUP_WIZARD: wizard}


def test_the_names_the_template_live_sessions_and_drafts_rely_on():
    assert SIGNUP_WIZARD == WIZARD_KEY == f"wizard_{PREFIX}"
    assert MANAGEMENT_FIELD == MANAGEMENT
    assert tuple(STEP_FORMS) == STEPS == ("account", "profile", "confirm")


# A visit keeps nothing ---------------------------------------------------------------------


def test_looking_at_a_new_signup_stores_nothing():
    session = {}
    state = SignupState(session)
    state.current_step = "profile"
    assert (state.stored, state.wizard_id, state.has_answers) == (False, None, False)
    assert state.first_incomplete_step() == "account" and state.resume_step() == "account"
    assert state.step_data("account") is None and state.take_recheck("account") is False
    assert session == {}


def test_a_signup_starts_once_with_its_id_under_a_new_key():
    session, counted = Session(), []
    state = SignupState(session)

    first = state.start(counted=lambda: counted.append(1) or 1_700_000_000)
    assert state.start(counted=lambda: counted.append(2) or 0) == first
    assert counted == [1] and state.started == 1_700_000_000 and state.funnel_id == first
    assert session.key_changes == 1
    assert session[SIGNUP_WIZARD]["extra_data"]["id"] == first


def test_a_session_not_stored_yet_is_not_cycled_it_gets_its_new_key_when_saved():
    session = Session(session_key=None)
    state = SignupState(session)
    state.start(counted=lambda: 1)
    state.store("account", QueryDict("account-username=minji"), valid=False)
    assert session.key_changes == 0  # cycling would store the session twice: an empty row, then the real one
    assert session[SIGNUP_WIZARD]["extra_data"]["id"] == state.wizard_id


# Storing a step ------------------------------------------------------------------------------


def test_a_stored_step_is_formtools_layout_under_one_new_key_per_state():
    session = Session()
    state = SignupState(session)
    state.current_step = "account"
    state.store("account", QueryDict("account-username=minji&account-email=minji@example.com"), valid=True)
    state.store("profile", QueryDict("profile-real_name="), valid=False)
    assert session.key_changes == 1  # once a request: a SignupState lives for one
    assert state.valid_steps == ["account"]

    # formtools' own storage reads what SignupState wrote.
    request = type("Request", (), {"session": session})()
    formtools = SessionStorage(PREFIX, request)
    assert formtools.current_step == "account"
    assert formtools.get_step_data("account").dict() == {
        "account-username": "minji",
        "account-email": "minji@example.com",
    }
    assert formtools.extra_data["valid"] == ["account"]
    assert set(session[SIGNUP_WIZARD]) == {"step", "step_data", "step_files", "extra_data"}


def test_storing_a_step_again_moves_it_between_valid_and_not():
    state = SignupState(answered("account", "profile"))
    state.store("account", QueryDict("account-username="), valid=False)
    assert state.valid_steps == ["profile"]
    state.store("account", QueryDict("account-username=minji"), valid=True)
    assert state.valid_steps == ["profile", "account"]


def test_a_forms_own_data_leaves_out_passwords_tokens_and_foreign_fields():
    data = posted("account", **ACCOUNT, is_staff="on")
    data.update({MANAGEMENT: "account", "csrfmiddlewaretoken": "t"})
    data = own_data(AccountForm(data=data, prefix="account"))
    assert dict(data.lists()) == {"account-username": ["minji"], "account-email": ["minji@example.com"]}


@pytest.mark.django_db  # the account form checks that the username and email are free
def test_a_form_with_a_new_password_keeps_only_its_hash_and_what_it_was_checked_against(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # not measuring hashing here
    state = SignupState({})
    form = step_form("account", state, data=posted("account", **ACCOUNT))
    assert form.is_valid(), form.errors

    state.store_form("account", form, valid=True, password=True)

    assert PASSWORD not in repr(state.as_stored())
    assert check_password(PASSWORD, state.password_hash)
    assert state.password_checked_for == form.identity()
    # Revisited, the step may leave the password blank for the same username and email.
    again = step_form("account", state, data=posted("account", username="minji", email="minji@example.com"))
    assert again.is_valid(), again.errors
    assert again.initial == {"username": "minji", "email": "minji@example.com"}


# Progress ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("valid", "first_incomplete", "ahead"),
    [
        ((), "account", {"profile", "confirm"}),
        (("account",), "profile", {"confirm"}),
        (("profile",), "account", {"profile", "confirm"}),  # a valid later step does not let anyone skip
        (("account", "profile"), "confirm", set()),
    ],
)
def test_nobody_skips_ahead_of_the_first_unanswered_step(valid, first_incomplete, ahead):
    state = SignupState(answered(*valid))
    assert state.first_incomplete_step() == first_incomplete
    assert {step for step in STEPS if state.is_ahead(step)} == ahead


@pytest.mark.parametrize(
    ("valid", "current", "resume"),
    [
        (("account", "profile"), "profile", "profile"),  # where they were looking
        (("account",), "confirm", "profile"),  # never past the first unanswered step
        (("account",), None, "profile"),
        ((), "nonsense", "account"),
    ],
)
def test_a_returning_person_resumes_where_they_left_off(valid, current, resume):
    assert SignupState(answered(*valid, current=current)).resume_step() == resume


def test_only_something_typed_or_a_chosen_password_is_something_to_start_over_from():
    assert not SignupState(answered(account={"account-username": ["  "], "account-email": [""]})).has_answers
    assert SignupState(answered(profile={"profile-phone": ["1"]})).has_answers
    with_password = answered()
    with_password[SIGNUP_WIZARD]["extra_data"]["password_hash"] = "argon2$..."
    assert SignupState(with_password).has_answers


def test_a_failed_final_check_reopens_its_step_once():
    state = SignupState(answered("account", "profile"))
    state.ask_recheck("account")
    assert state.valid_steps == ["profile"] and state.first_incomplete_step() == "account"
    assert state.take_recheck("profile") is False
    assert state.take_recheck("account") is True
    assert state.take_recheck("account") is False


def test_weighing_a_step_changes_nothing():
    state = SignupState(answered("account", account={"account-username": ["minji"]}))
    candidate = state.with_step_data("profile", {"profile-real_name": ["Kim Minji"]})
    assert candidate["step_data"] == {
        "account": {"account-username": ["minji"]},
        "profile": {"profile-real_name": ["Kim Minji"]},
    }
    assert state.step_data("profile") is None


# Ending ------------------------------------------------------------------------------------------


def test_start_over_forgets_the_signup_and_remembers_which_one_ended():
    session = answered("account")
    state = SignupState(session)
    state.end()
    assert SIGNUP_WIZARD not in session and session[ENDED_KEY] == "wizard-1"
    assert state.ended_here("wizard-1") and not state.ended_here(None) and not state.finished_here("wizard-1")
    assert (state.stored, state.wizard_id) == (False, None)  # a new signup starts with the next answer


def test_a_finished_signup_is_forgotten_and_known_as_finished():
    session = answered("account", "profile")
    state = SignupState(session)
    state.close_finished()
    assert SIGNUP_WIZARD not in session and session[FINISHED_KEY] == "wizard-1"
    assert state.finished_here("wizard-1") and not state.finished_here("another")


# Carried to another browser ------------------------------------------------------------------------


def test_a_draft_saved_before_opens_as_a_signup_of_its_own_with_the_address_proven():
    # A draft's data exactly as drafts.save_draft stored them before SignupState existed.
    saved = {
        "step": "confirm",
        "step_data": {
            "account": {"account-username": ["minji"], "account-email": ["minji@example.com"]},
            "profile": {"profile-real_name": ["Kim Minji"], "profile-preferred_name": [""], "profile-phone": [""]},
        },
        "step_files": {},
        "extra_data": {"id": "asker", "started": 1_700_000_000, "valid": ["profile"], "has_draft": True},
    }
    session = Session()
    state = SignupState(session)

    state.adopt(without_password(saved), wizard_id="opener", proven_email="minji@example.com")

    assert session.key_changes == 1
    assert (state.wizard_id, state.funnel_id, state.started) == ("opener", "asker", 1_700_000_000)
    assert state.proven_email == "minji@example.com" and not state.has_draft and state.password_hash is None
    assert state.first_incomplete_step() == "account"  # the password is chosen again
    assert state.step_data("profile")["profile-real_name"] == "Kim Minji"


def test_a_signup_moved_twice_keeps_counting_under_its_first_id():
    session = answered("account")
    session[SIGNUP_WIZARD]["extra_data"].update(id="second", funnel_id="first")
    state = SignupState({})
    state.adopt(session[SIGNUP_WIZARD], wizard_id="third", proven_email="k")
    assert (state.wizard_id, state.funnel_id) == ("third", "first")


def test_a_finish_later_link_marks_the_signup_as_having_a_draft():
    state = SignupState(answered("account"))
    assert not state.has_draft
    state.mark_draft()
    assert state.has_draft and state.as_stored()["extra_data"]["has_draft"] is True
