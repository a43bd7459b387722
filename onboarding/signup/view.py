"""The signup wizard view: three steps whose answers wait in the session until the person confirms."""

import logging
import secrets
import time
from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.hashers import make_password
from django.core.exceptions import BadRequest
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.datastructures import MultiValueDict
from django.utils.decorators import method_decorator
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.i18n import set_language
from formtools.wizard.forms import ManagementForm
from formtools.wizard.views import NamedUrlSessionWizardView

from onboarding import funnel, timezones
from onboarding.identities import email_key
from onboarding.models import Profile, User
from onboarding.session_keys import ENDED_KEY, FINISHED_KEY, SIGNUP_WIZARD, SUCCESS_KEYS, SUCCESS_UNTIL
from onboarding.signup.accounts import reserve_username
from onboarding.signup.bounds import refusal
from onboarding.signup.drafts import SignupMoved, create_account_from_signup, discard_draft, has_moved
from onboarding.signup.forms import AccountForm, ConfirmForm, ProfileForm
from onboarding.signup.rendering import blank_form_html
from onboarding.signup.resume import PROVEN_EMAIL, email_finish_later_link
from onboarding.verification.flow import confirm_url, remember_confirmation, send_confirmation

logger = logging.getLogger(__name__)

STEP_TITLES = {
    "account": gettext_lazy("Account"),
    "profile": gettext_lazy("Profile"),
    "confirm": gettext_lazy("Check your answers"),
}
# Typed, never kept: the wizard keeps a hash of the password instead.
SECRET_FIELDS = {"password1", "password2"}
DONE_PAGE_SECONDS = 10 * 60


def has_answers(wizard_data):
    """True once the wizard holds anything typed: only then is there something to start over from."""
    if not wizard_data:
        return False
    step_data = wizard_data.get("step_data", {}).values()
    typed = (value for step in step_data for values in step.values() for value in values)
    return any(value.strip() for value in typed) or bool(wizard_data.get("extra_data", {}).get("password_hash"))


@method_decorator(never_cache, name="dispatch")
# Error reports never carry the typed passwords.
@method_decorator(sensitive_post_parameters("account-password1", "account-password2"), name="dispatch")
class SignupWizard(NamedUrlSessionWizardView):
    """Walk a person through account, profile and confirmation, then create the account once."""

    form_list = [("account", AccountForm), ("profile", ProfileForm), ("confirm", ConfirmForm)]
    storage_name = "onboarding.signup.storage.WizardStorage"
    template_name = "onboarding/wizard.html"

    def dispatch(self, request, *args, **kwargs):
        # Read before formtools creates an empty wizard: a POST into a wizard
        # that is not in the session means the session expired or was replaced.
        self.resumed = self.session_key() in request.session
        if request.user.is_authenticated:
            return self.redirect_signed_in(request)
        moved = self.end_if_moved(request)
        if moved:
            return moved
        if request.method == "GET" and kwargs.get("step") and not self.resumed and "success_id" in request.session:
            # Back or reload onto a step after finishing (not logged in: approval or verification holds the
            # account): show what was done, not a new signup. /signup/ itself still starts one.
            return redirect("onboarding:done")
        return super().dispatch(request, *args, **kwargs)

    @classmethod
    def session_key(cls):
        """Where formtools keeps this wizard in the session."""
        return SIGNUP_WIZARD

    @classmethod
    def end_if_moved(cls, request):
        """End this browser's copy of a signup whose "finish later" link was opened elsewhere; else None.

        Only a browser that asked for a link can hold such a copy, so only then is the database asked.
        """
        extra = request.session.get(cls.session_key(), {}).get("extra_data", {})
        if extra.get("has_draft") and has_moved(wizard_id=extra.get("id")):
            return cls.signup_moved(request)
        return None

    @classmethod
    def signup_moved(cls, request):
        """Forget the answers of a signup that moved to another browser, and say so (nothing of the account)."""
        ended = request.session.pop(cls.session_key(), None) or {}
        request.session[ENDED_KEY] = ended.get("extra_data", {}).get("id")
        logger.info("A signup that moved to another browser was closed in the browser that asked for its link.")
        messages.warning(
            request,
            _(
                "This signup was continued in another browser, from the link we emailed, so it was closed here. "
                "You can start a new signup below."
            ),
        )
        return redirect("onboarding:signup")

    def redirect_signed_in(self, request):
        if "success_id" in request.session:
            return redirect("onboarding:done")
        messages.info(
            request,
            _("You are logged in as %(username)s. Log out first to create another account.")
            % {"username": request.user.get_username()},
        )
        return redirect("onboarding:account")

    # Wizard state ------------------------------------------------------------

    def extra(self, key, default=None):
        return self.storage.extra_data.get(key, default)

    def remember(self, **values):
        self.storage.extra_data = {**self.storage.extra_data, **values}

    def ensure_id(self):
        """Give a new wizard its id: it tells this wizard's pages from an older one's.

        Only a POST gets here: a wizard starts when a person sends an answer, not when a page is shown,
        so the funnel's "started" counts people, and a visit stores no session.
        """
        if not self.extra("id"):
            self.new_session_key()
            self.remember(id=secrets.token_urlsafe(16), started=funnel.start())
        return self.extra("id")

    def new_session_key(self):
        """A new session key, keeping what the session holds, at most once a request.

        Whoever planted or saw the old key (a shared computer, a link with a session in it) holds a
        key that no longer opens anything: they cannot watch the answers or press "Create account".
        """
        if not getattr(self, "key_changed", False):
            # A session not stored yet (a first answer; a planted key that opens nothing reads as none
            # once loaded, which dispatch did) gets a new key when it is saved: cycling it would store it twice.
            if self.request.session.session_key is not None:
                self.request.session.cycle_key()
            self.key_changed = True

    @property
    def wizard_id(self):
        return self.ensure_id()

    @property
    def funnel_id(self):
        """What the funnel counts a person's steps once under: the first id of a signup that moved browsers."""
        return self.extra("funnel_id") or self.extra("id")

    @property
    def step_names(self):
        return list(self.get_form_list())

    def first_incomplete_step(self):
        """The first step not yet answered validly; the last step when all before it are."""
        valid = self.extra("valid", [])
        for step in self.step_names[:-1]:
            if step not in valid:
                return step
        return self.steps.last

    def is_ahead(self, step):
        """True for a step past the first unanswered one: nobody skips ahead."""
        return self.step_names.index(step) > self.step_names.index(self.first_incomplete_step())

    def resume_step(self):
        """Where a returning person left off, but never past the first unanswered step."""
        current = self.storage.current_step
        if current in self.step_names and not self.is_ahead(current):
            return current
        return self.first_incomplete_step()

    def own_data(self, form):
        """The step's own fields as typed (no password, token or management data)."""
        data = MultiValueDict()
        for name in form.fields:
            key = form.add_prefix(name)
            if name not in SECRET_FIELDS and key in form.data:
                data.setlist(key, form.data.getlist(key))
        return data

    def refuse_oversized(self, step, form):
        """Our page saying why, when the answers are longer or more than the wizard keeps; else None."""
        reason = refusal(form, dict(self.own_data(form).lists()), self.storage.data, step)
        if reason is None:
            return None
        logger.warning("Signup POST refused: answers too long or repeated (step %s).", step)
        messages.error(self.request, reason + " " + _("Nothing you sent on this page was saved."))
        response = self.render(self.get_form(step))
        response.status_code = 400
        return response

    def store(self, step, form, *, valid):
        """Keep the step's own fields as typed (no password, token or management data), under a new session key."""
        self.new_session_key()
        self.storage.set_step_data(step, self.own_data(form))
        valid_steps = [s for s in self.extra("valid", []) if s != step] + ([step] if valid else [])
        self.remember(valid=valid_steps)

    def keep_unsent(self, step, form):
        """Store a step's answers as typed, for a control that leaves the step without sending it."""
        valid = step != self.steps.last and form.is_valid()
        self.store(step, form, valid=valid)
        if valid and step == "account" and form.new_password:
            self.remember_password(form)

    @sensitive_variables()
    def remember_password(self, form):
        """Keep the typed password's hash, and the username and email it was checked against (never the password)."""
        self.remember(password_hash=make_password(form.new_password), password_checked_for=form.identity())

    def get_form_kwargs(self, step=None):
        if step == "account":
            return {
                "has_password": bool(self.extra("password_hash")),
                "password_checked_for": self.extra("password_checked_for"),
            }
        return {}

    def get_form_initial(self, step):
        """Prefill a revisited step from what was stored, without showing errors for it."""
        data = self.storage.get_step_data(step)
        if not data:
            return {}
        form_class = self.get_form_list()[step]
        return {
            name: field.widget.value_from_datadict(data, MultiValueDict(), f"{step}-{name}")
            for name, field in form_class.base_fields.items()
            if name not in SECRET_FIELDS
        }

    # Requests ----------------------------------------------------------------

    def get(self, request, *args, step=None, **kwargs):
        """Show the requested step, or send the person to where they left off."""
        if step is None:
            if not self.resumed and "success_id" in request.session:
                # A new signup after finishing one (not logged in): the done page's details go now.
                for key in (*SUCCESS_KEYS, SUCCESS_UNTIL):
                    request.session.pop(key, None)
            return self.go_to(self.resume_step())
        if step not in self.step_names:
            raise Http404
        if self.is_ahead(step):
            return redirect(self.get_step_url(self.first_incomplete_step()))
        self.storage.current_step = step
        funnel.reached(self.funnel_id, step, self.steps.last)
        if self.extra("recheck") == step:
            # The final check failed here: show this step's answers with the reason.
            self.remember(recheck=None)
            return self.render(self.get_form(step, data=self.storage.get_step_data(step)))
        return self.render(self.get_form(step))

    @sensitive_variables()
    def post(self, request, *args, step=None, **kwargs):
        """Validate and store a step, go back, or create the account on the last step."""
        management_form = ManagementForm(request.POST, prefix=self.prefix)
        if not management_form.is_valid() or management_form.cleaned_data["current_step"] != step:
            raise BadRequest("Signup wizard management data is missing or was tampered with.")
        if step not in self.step_names:
            raise BadRequest("Unknown signup step.")

        posted_id = request.POST.get("wizard_id")
        if not self.resumed or (posted_id and posted_id != self.extra("id")):
            stale = self.stale_post(step, posted_id)
            if stale:
                return stale

        if self.is_ahead(step):
            return redirect(self.get_step_url(self.first_incomplete_step()))

        self.storage.current_step = step
        self.ensure_id()
        timezones.remember(request, request.POST.get("time_zone"))  # from then on, times in the person's zone
        form = self.get_form(step, data=request.POST)
        refused = self.refuse_oversized(step, form)
        if refused:
            return refused
        if request.POST.get("finish_later") and step != self.steps.first:
            # Like Back: keep what was typed here, valid or not, then mail the link.
            self.store(step, form, valid=step != self.steps.last and form.is_valid())
            return email_finish_later_link(self)
        goto = request.POST.get("wizard_goto_step")
        if goto and goto not in self.step_names:
            raise BadRequest("Unknown signup step.")
        language = request.POST.get("language")
        if language and language not in dict(settings.LANGUAGES):
            raise BadRequest("Unknown language.")
        if goto or language or "wizard_start_over" in request.POST:
            # Back, the language switch and Start over keep what was typed here, valid or not,
            # without showing errors.
            self.keep_unsent(step, form)
            if language:
                return set_language(request)  # sets the language cookie, then back to this step ("next")
            if goto:
                return self.go_to(goto)
            return redirect("onboarding:start_over")  # which asks before it clears anything

        if not form.is_valid():
            funnel.step_errors(step, form)
            self.store(step, form, valid=False)
            if step == "account" and form.password_passed:
                # An error elsewhere need not cost a good password: its hash is kept for the same username and email.
                self.remember_password(form)
                form.keep_password()
            return self.render(form)
        if step == self.steps.last:
            return self.finish(form)

        self.store(step, form, valid=True)
        funnel.step_done(self.funnel_id, step)
        if step == "account" and form.new_password:
            self.remember_password(form)
        if request.GET.get("return") == "confirm":
            return self.go_to(self.first_incomplete_step())
        return self.go_to(self.get_next_step(step))

    def go_to(self, step):
        """Redirect to a step, remembering it as where the person is."""
        self.storage.current_step = step
        return redirect(self.get_step_url(step))

    def stale_post(self, step, posted_id):
        """Answer a POST made for a wizard that is no longer the one in the session, if it needs answering."""
        finished = posted_id and posted_id == self.request.session.get(FINISHED_KEY)
        if finished or (posted_id and Profile.objects.filter(signup_token=posted_id).exists()):
            # "Create account" pressed again after the account was made.
            return redirect("onboarding:already_created")
        if self.resumed or (posted_id and posted_id == self.request.session.get(ENDED_KEY)):
            messages.warning(
                self.request,
                _("This signup was changed in another tab or window. Here is where it stands now."),
            )
            return redirect(self.get_step_url(self.resume_step()))
        if step == self.steps.first:
            return None  # nothing earlier could have been lost: carry on as usual
        # The session expired: keep what was typed on this step, say what happened.
        form = self.get_form(step, data=self.request.POST)
        if refusal(form, dict(self.own_data(form).lists()), self.storage.data, step) is None:
            self.store(step, form, valid=False)
        self.ensure_id()
        messages.error(
            self.request,
            _(
                "Your session expired, so the answers you gave before were not kept. "
                "Please start again from the first step."
            ),
        )
        return redirect(self.get_step_url(self.steps.first))

    @sensitive_variables()
    def finish(self, confirm_form):
        """Check every step again, then write the account exactly once."""
        forms = {self.steps.last: confirm_form}
        for step in self.step_names[:-1]:
            form = self.get_form(step, data=self.storage.get_step_data(step))
            if not form.is_valid() or (step == "account" and not self.extra("password_hash")):
                return self.recheck(step)
            forms[step] = form
        account, profile = forms["account"].cleaned_data, forms["profile"].cleaned_data
        owner = self.owner_of_taken_email(account["email"])
        if owner:
            return self.complete_taken(owner, account, profile)
        try:
            user = create_account_from_signup(
                has_draft=bool(self.extra("has_draft")),
                username=account["username"],
                email=account["email"],
                password_hash=self.extra("password_hash"),
                real_name=profile["real_name"],
                preferred_name=profile["preferred_name"],
                phone=profile["phone"],
                language=get_language(),
                time_zone=timezones.zone_name(self.request),
                signup_token=self.wizard_id,
                email_verified=self.extra(PROVEN_EMAIL) == email_key(account["email"]),
                confirm_url_for=partial(confirm_url, self.request),
            )
        except SignupMoved:
            return self.signup_moved(self.request)
        except IntegrityError:
            # Someone else took the username or email between our check and the write.
            if self.finished_elsewhere():
                return redirect("onboarding:already_created")
            owner = self.owner_of_taken_email(account["email"])
            if owner:
                return self.complete_taken(owner, account, profile)
            return self.recheck("account")
        logger.info("Created account id=%s", user.pk)
        # Committed: from here on, a failing part must not be reported as "nothing was changed" (see errors.py).
        self.request.account_created = user
        if not user.email_verified_at:
            remember_confirmation(self.request, user)
        funnel.created(self.extra("started"))
        return self.complete(user)

    def discard_draft(self):
        """Stop the "finish later" link of a finished signup (a query only when one was sent)."""
        if self.extra("has_draft"):
            discard_draft(wizard_id=self.wizard_id)

    def owner_of_taken_email(self, email):
        """With mandatory verification, the account that already has this address (the wizard does not say so)."""
        if settings.SIGNUP_EMAIL_VERIFICATION != "mandatory":
            return None
        return User.objects.with_email(email).select_related("profile").first()

    def complete_taken(self, owner, account, profile):
        """Answer exactly as for a new signup; only the address's owner learns, by mail, what happened."""
        logger.info("Signup with a taken email address; its owner (id=%s) was told by mail.", owner.pk)
        send_confirmation(self.request, owner, notice=True)
        # The username reads as taken from now on, as it would after a real signup: trying it again tells
        # nothing about whether the address had an account.
        reserve_username(username=account["username"], password_hash=self.extra("password_hash"), email=owner.email)
        self.discard_draft()
        self.request.session.cycle_key()  # as for a new account awaiting confirmation
        greeting = profile["preferred_name"] or profile["real_name"]
        self.hand_over(account["username"], profile["real_name"], account["email"], greeting)
        return redirect("onboarding:done")

    def finished_elsewhere(self):
        """True when another request of this signup created its account (a second "Create account")."""
        return Profile.objects.filter(signup_token=self.wizard_id).exists()

    def recheck(self, step):
        """Send the person to a step that failed the final check, unless this wizard already finished."""
        if self.finished_elsewhere():
            # Only the request that created the account logs in to it and shows it: this one, a second
            # "Create account" or any other copy of the signup, is told it was created and learns nothing
            # about the account.
            return redirect("onboarding:already_created")
        logger.info("Signup failed the final check on step %s; sent back to it.", step)
        valid_steps = [s for s in self.extra("valid", []) if s != step]
        self.remember(valid=valid_steps, recheck=step)
        return redirect(self.get_step_url(step))

    def complete(self, user):
        """Clear the wizard, log the person in (unless their account must wait) and hand over to the done page."""
        if user.is_active and not (settings.SIGNUP_EMAIL_VERIFICATION == "mandatory" and not user.email_verified_at):
            login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")  # a new session key
        else:
            # A new key here too, so the key that carried the answers ends with them.
            self.request.session.cycle_key()
        self.hand_over(user.username, user.profile.real_name, user.email, user.profile.greeting_name)
        return redirect("onboarding:done")

    def hand_over(self, username, real_name, email, greeting):
        """Clear the wizard and give the done page what it shows."""
        session = self.request.session
        # A repeated "Create account" from this wizard's pages finds it finished.
        session[FINISHED_KEY] = self.wizard_id
        session.pop(self.storage.prefix, None)
        session["success_id"] = username
        session["success_name"] = real_name
        session["success_email"] = email
        session["success_greeting"] = greeting
        session[SUCCESS_UNTIL] = int(time.time()) + DONE_PAGE_SECONDS

    # Rendering ---------------------------------------------------------------

    def get_context_data(self, form, **kwargs):
        # formtools adds extra_data to the context; ours holds the password hash, so build it ourselves.
        step = self.steps.current
        context = {
            "view": self,
            "form": form,
            "wizard": {
                "form": form,
                "steps": self.steps,
                "url_name": self.url_name,
            },
            # formtools' management form, written out: rendering it as a form cost a tenth of a step page.
            "management_field": f"{self.prefix}-current_step",
            "wizard_id": self.extra("id", ""),
            "blank_form_html": None if form.is_bound or form.initial else blank_form_html(form),
            "step_title": STEP_TITLES[step],
            "has_answers": has_answers(self.storage.data),
            "progress": [
                {"name": name, "title": STEP_TITLES[name], "number": number, "current": name == step}
                for number, name in enumerate(self.step_names, start=1)
            ],
        }
        if step == self.steps.last:
            context["summary"] = self.summary()
        return context

    def summary(self):
        """Every answer, grouped by step, each with a link to change it."""
        account = self.get_form_initial("account")
        profile = self.get_form_initial("profile")
        not_given = _("Not given")

        def row(step, label, value):
            return {
                "label": label,
                "value": value,
                "change_url": f"{self.get_step_url(step)}?return=confirm",
            }

        return [
            {
                "title": STEP_TITLES["account"],
                "rows": [
                    row("account", _("Username"), account.get("username", "")),
                    row("account", _("Email address"), account.get("email", "")),
                    row("account", _("Password"), _("Chosen (not shown)")),
                ],
            },
            {
                "title": STEP_TITLES["profile"],
                "rows": [
                    row("profile", _("Full name"), profile.get("real_name", "")),
                    row("profile", _("Preferred name"), profile.get("preferred_name") or not_given),
                    row("profile", _("Phone number"), profile.get("phone") or not_given),
                ],
            },
        ]
