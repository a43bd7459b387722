"""The signup wizard's state: the one owner of its layout in the session, with the rules of progress beside it.

The layout is formtools' session storage (storage.py), as live sessions and saved drafts (drafts.py) hold it:

    {"step": the step the person is on,
     "step_data": {step: {"<step>-<field>": [value, ...]}},   # as typed: never a password
     "step_files": {},
     "extra_data": {"id", "funnel_id", "started", "valid", "password_hash", "password_checked_for",
                    "email_proven", "has_draft", "recheck", "invitation",
                    "auth", "passkey_user", "passkey"}}

A signup with a passkey instead of a password has "auth": "passkey", the random WebAuthn user handle its
passkey is made under ("passkey_user"), and, once made, the passkey's public part ("passkey":
passkeys.ceremony.NewPasskey.as_dict()); it then has no password hash at all.

Nothing here speaks HTTP: a SignupState is built from a request's session or from a plain dict.
"""

import secrets

from django.contrib.auth.hashers import make_password
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.views.decorators.debug import sensitive_variables

from onboarding.passkeys.ceremony import NewPasskey
from onboarding.passkeys.services import new_user_handle
from onboarding.session_keys import ENDED_KEY, FINISHED_KEY, PROVEN_EMAIL, SIGNUP_WIZARD
from onboarding.signup.storage import WizardStorage

STEPS = ("account", "profile", "confirm")
FIRST, LAST = STEPS[0], STEPS[-1]
# formtools' name for the SignupWizard view: the session key is "wizard_" + it, and the template's
# management field (which says which step a POST was made on) carries it as its prefix.
PREFIX = "signup_wizard"
MANAGEMENT_FIELD = f"{PREFIX}-current_step"
# Typed, never kept: the wizard keeps a hash of the password instead, and of the browser's answer to the
# passkey ceremony ("passkey") only the checked passkey's public part.
SECRET_FIELDS = {"password1", "password2", "passkey"}
# What one way of logging in leaves in the extra data: switching to the other way removes it.
PASSWORD_OR_PASSKEY = {"password_hash", "password_checked_for", "auth", "passkey_user", "passkey"}
# In the extra data: the invitation a signup started from.
INVITATION = "invitation"
# In the extra data: how the account will log in ("passkey"; absent: a password), and the passkey's parts.
AUTH, PASSKEY_AUTH, PASSKEY_USER, PASSKEY = "auth", "passkey", "passkey_user", "passkey"


def step_url(step):
    return reverse("onboarding:signup_step", args=[step])


def next_step(step):
    return STEPS[STEPS.index(step) + 1]


def previous_step(step):
    index = STEPS.index(step)
    return STEPS[index - 1] if index else None


def own_data(form):
    """A step form's own fields as posted (no password, token or management data): what the wizard keeps."""
    data = MultiValueDict()
    for name in form.fields:
        key = form.add_prefix(name)
        if name not in SECRET_FIELDS and key in form.data:
            data.setlist(key, form.data.getlist(key))
    return data


class SignupState:
    """One person's signup in progress: their answers, where they are, and what may come next."""

    def __init__(self, session):
        self.session = session
        self._storage = WizardStorage(PREFIX, session)
        self.key_changed = False

    def adopt(self, data, *, wizard_id, proven_email):
        """Make a draft's answers (drafts.py: no password) this session's signup, under a new session key.

        It gets a new id, so that the copy left in the browser that asked for the link is another signup;
        the funnel goes on counting it under the id it started with.
        """
        extra = {key: value for key, value in data.get("extra_data", {}).items() if key != "has_draft"}
        funnel_id = extra.get("funnel_id") or extra.get("id")
        extra.update(id=wizard_id, funnel_id=funnel_id, **{PROVEN_EMAIL: proven_email})
        self.new_session_key()
        self.session[SIGNUP_WIZARD] = {**data, "extra_data": extra}
        self._storage = WizardStorage(PREFIX, self.session)

    def start_invited(self, *, email, email_key, invitation_id):
        """Start a fresh signup from an invitation (access/): the account step's email filled in and proven, as
        a "finish later" link opened here proves it, under a new session key. It gets its id at the first
        answer, like any signup; the invitation travels with it (a "finish later" link included)."""
        self.new_session_key()
        self.session[SIGNUP_WIZARD] = {
            "step": FIRST,
            "step_data": {FIRST: {"account-email": [email]}},
            "step_files": {},
            "extra_data": {PROVEN_EMAIL: email_key, INVITATION: invitation_id},
        }
        self._storage = WizardStorage(PREFIX, self.session)

    @property
    def invitation_id(self):
        """The invitation (access.Invitation id) this signup started from, or None."""
        return self._extra(INVITATION)

    # The session ----------------------------------------------------------------------

    @property
    def stored(self):
        """True once a person sent an answer: a visit that sent none keeps nothing."""
        return SIGNUP_WIZARD in self.session

    def new_session_key(self):
        """A new session key, keeping what the session holds, at most once per request (per SignupState).

        Whoever planted or saw the old key (a shared computer, a link with a session in it) holds a key
        that no longer opens anything: they cannot watch the answers or press "Create account".
        """
        cycle_key = getattr(self.session, "cycle_key", None)  # a plain dict (the unit tests) has no key
        # A session not stored yet (a first answer; a planted key that opens nothing reads as none once
        # loaded) gets a new key when it is saved: cycling it would store it twice.
        if not self.key_changed and cycle_key and self.session.session_key is not None:
            cycle_key()
        self.key_changed = True

    def _extra(self, key, default=None):
        return self._storage.extra_data.get(key, default)

    def _remember(self, **values):
        self._storage.extra_data = {**self._storage.extra_data, **values}

    def as_stored(self):
        """The whole wizard as the session keeps it (what a "finish later" draft saves)."""
        return self._storage.data

    def with_step_data(self, step, data):
        """The whole wizard as it would be with `data` as this step's answers (to weigh it before storing)."""
        stored = self._storage.data
        return {**stored, "step_data": {**stored.get("step_data", {}), step: data}}

    # Identity -------------------------------------------------------------------------

    @property
    def wizard_id(self):
        """The random id that tells this signup's pages from an older one's; None until it starts."""
        return self._extra("id")

    @property
    def funnel_id(self):
        """What the funnel counts a person's steps once under: the first id of a signup that moved browsers."""
        return self._extra("funnel_id") or self._extra("id")

    @property
    def started(self):
        """When the signup started (a timestamp), to time it."""
        return self._extra("started")

    def start(self, *, counted):
        """Give a signup that has none its id, under a new session key; `counted()` counts it as started and
        returns the moment. Only a sent answer starts a signup: a visit stores no session."""
        if not self.wizard_id:
            self.new_session_key()
            self._remember(id=secrets.token_urlsafe(16), started=counted())
        return self.wizard_id

    def end(self):
        """Forget the signup (Start over, or it moved to another browser); a tab still on it is told it changed."""
        self.session[ENDED_KEY] = self.wizard_id
        self.forget()

    def close_finished(self):
        """Forget the finished signup's answers; a repeated "Create account" from its pages finds it finished."""
        self.session[FINISHED_KEY] = self.wizard_id
        self.forget()

    def forget(self):
        self.session.pop(SIGNUP_WIZARD, None)
        self._storage = WizardStorage(PREFIX, self.session)  # nothing again, until the next answer

    def finished_here(self, wizard_id):
        return bool(wizard_id) and wizard_id == self.session.get(FINISHED_KEY)

    def ended_here(self, wizard_id):
        return bool(wizard_id) and wizard_id == self.session.get(ENDED_KEY)

    # Answers --------------------------------------------------------------------------

    @property
    def current_step(self):
        return self._storage.current_step

    @current_step.setter
    def current_step(self, step):
        self._storage.current_step = step

    def step_data(self, step):
        """A step's answers as typed (a MultiValueDict, as a form takes them), or None if never sent."""
        return self._storage.get_step_data(step)

    @property
    def valid_steps(self):
        return self._extra("valid", [])

    def store(self, step, data, *, valid):
        """Keep a step's own answers as typed (never a password), under a new session key."""
        self.new_session_key()
        self._storage.set_step_data(step, data)
        self._remember(valid=[s for s in self.valid_steps if s != step] + ([step] if valid else []))

    @sensitive_variables()
    def store_form(self, step, form, *, valid, password=False):
        """Keep a step form's own answers; with `password`, the hash of a password typed in it (AccountForm) and
        the username and email it was checked against. The password itself is never kept."""
        self.store(step, own_data(form), valid=valid)
        if getattr(form, "new_passkey", None):  # checked while validating (AccountForm with a passkey)
            self.remember_passkey(form.new_passkey)
        if password and form.new_password:
            self.remember_password(password_hash=make_password(form.new_password), checked_for=form.identity())

    @property
    def password_hash(self):
        return self._extra("password_hash")

    @property
    def password_checked_for(self):
        """A digest of the username and email the stored password was checked against (AccountForm.identity)."""
        return self._extra("password_checked_for")

    def remember_password(self, *, password_hash, checked_for):
        self._remember(password_hash=password_hash, password_checked_for=checked_for)

    # A passkey instead of a password ------------------------------------------------------

    @property
    def uses_passkey(self):
        """True when the person chose "Use a passkey instead of a password" (and has not switched back)."""
        return self._extra(AUTH) == PASSKEY_AUTH

    def use_passkey(self, on):
        """Switch between a passkey and a password; what the other way had made (a hash, a passkey) goes."""
        if on == self.uses_passkey:
            return  # a page left open from before the switch: nothing to change
        extra = {key: value for key, value in self._storage.extra_data.items() if key not in PASSWORD_OR_PASSKEY}
        if on:
            extra.update({AUTH: PASSKEY_AUTH, PASSKEY_USER: self._extra(PASSKEY_USER) or new_user_handle()})
        extra["valid"] = [step for step in extra.get("valid", []) if step != FIRST]
        self._storage.extra_data = extra

    @property
    def passkey_user_handle(self):
        """The random user handle (base64url) this signup's passkey is made under; None on the password path."""
        return self._extra(PASSKEY_USER) if self.uses_passkey else None

    @property
    def passkey(self):
        """The passkey made at the account step (a NewPasskey), or None."""
        data = self._extra(PASSKEY) if self.uses_passkey else None
        return NewPasskey.from_dict(data) if data else None

    def remember_passkey(self, new_passkey):
        self._remember(**{PASSKEY: new_passkey.as_dict()})

    @property
    def has_way_in(self):
        """True when the account step left what the account logs in with: a password hash, or a passkey."""
        return bool(self.passkey) if self.uses_passkey else bool(self.password_hash)

    @property
    def proven_email(self):
        """The key (identities.email_key) of an address the person proved by opening a link mailed to it."""
        return self._extra(PROVEN_EMAIL)

    @property
    def has_draft(self):
        """True once a "finish later" link was asked for: only then can the signup have moved elsewhere."""
        return bool(self._extra("has_draft"))

    def mark_draft(self):
        self._remember(has_draft=True)

    def ask_recheck(self, step):
        """The final check failed on this step: it counts as unanswered, and shows its answers with the reason."""
        self._remember(valid=[s for s in self.valid_steps if s != step], recheck=step)

    def take_recheck(self, step):
        """True, once, when this step is to show its answers with the reason the final check gave."""
        if self._extra("recheck") != step:
            return False
        self._remember(recheck=None)
        return True

    # Progress -------------------------------------------------------------------------

    def first_incomplete_step(self):
        """The first step not yet answered validly; the last step when all before it are."""
        return next((step for step in STEPS[:-1] if step not in self.valid_steps), LAST)

    def is_ahead(self, step):
        """True for a step past the first unanswered one: nobody skips ahead."""
        return STEPS.index(step) > STEPS.index(self.first_incomplete_step())

    def resume_step(self):
        """Where a returning person left off, but never past the first unanswered step."""
        current = self.current_step
        if current in STEPS and not self.is_ahead(current):
            return current
        return self.first_incomplete_step()

    @property
    def has_answers(self):
        """True once anything was typed: only then is there something to start over from."""
        if not self.stored:
            return False
        steps = self._storage.data.get("step_data", {}).values()
        typed = (value for data in steps for values in data.values() for value in values)
        return any(value.strip() for value in typed) or bool(self.password_hash) or bool(self.passkey)
