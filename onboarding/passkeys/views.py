"""The account's passkeys: add one (the browser's ceremony, through JSON), rename and remove one; confirm it's
you with a passkey; and the registration steps the reset page shares to add a passkey instead of a password.

A ceremony is one URL the page's script posts to twice: step=begin answers {"options"} for the browser,
step=finish takes the browser's answer ("credential", JSON) and answers {"redirect"} or {"error"}.
"""

import json
import logging

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView, View

from onboarding.account.reauth import ConfirmItsYouRequired, confirm_url, confirmed_next, confirmed_recently
from onboarding.account.views import AccountFormView, AccountPage
from onboarding.passkeys import ceremony
from onboarding.passkeys.flow import PASSKEY_ADDED, PASSKEY_REMOVED, passkey_changed
from onboarding.passkeys.forms import PasskeyNameForm
from onboarding.passkeys.made_with import made_with_request
from onboarding.passkeys.services import (
    LastWayIn,
    add_passkey,
    add_passkey_instead_of_password,
    default_name,
    is_last_way_in,
    record_use,
    remove_own_passkey,
    rename_passkey,
    user_handle_for,
)
from onboarding.session_keys import PASSKEY_NEW_HANDLE

logger = logging.getLogger(__name__)

UNCLEAR = gettext_lazy("Something went wrong. Reload the page and try again.")
ALREADY_ADDED = gettext_lazy("That passkey is already in use. Try again with another device or password manager.")


def answer_error(message, status=400):
    return JsonResponse({"error": str(message)}, status=status)


def answer_redirect(url, status=200):
    return JsonResponse({"redirect": str(url)}, status=status)


def read_credential(request):
    """The browser's answer, as the dict py_webauthn reads; None when it is not JSON."""
    try:
        answer = json.loads(request.POST.get("credential", ""))
    except ValueError:
        return None
    return answer if isinstance(answer, dict) else None


def register_step(request, *, user, finish):
    """One step of making a passkey for `user`; `finish(new_passkey)` keeps a checked one and answers."""
    step = request.POST.get("step")
    if step == "begin":
        handle = user_handle_for(user)
        request.session[PASSKEY_NEW_HANDLE] = handle
        options = ceremony.begin_registration(
            request,
            user_name=user.get_username(),
            display_name=user.get_username(),
            user_handle=handle,
            exclude=list(user.passkeys.values_list("credential_id", flat=True)),
        )
        return JsonResponse({"options": options})
    if step == "finish":
        handle = request.session.pop(PASSKEY_NEW_HANDLE, None) or user_handle_for(user)
        try:
            new_passkey = ceremony.finish_registration(request, read_credential(request), user_handle=handle)
        except ceremony.PasskeyError as error:
            logger.info("Passkey registration refused: %s", error.reason)
            return answer_error(error.message)
        return finish(new_passkey)
    return answer_error(UNCLEAR)


class CeremonyNeedsConfirmation:
    """For a ceremony's POSTs behind ConfirmItsYouRequired: a lapsed confirmation answers JSON with where to go
    (the script follows it), not a redirect the script cannot read."""

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST" and request.user.is_authenticated and not confirmed_recently(request):
            return answer_redirect(confirm_url(request.path), status=403)
        return super().dispatch(request, *args, **kwargs)


class AddPasskeyView(AccountPage, CeremonyNeedsConfirmation, ConfirmItsYouRequired, TemplateView):
    """Make a passkey for this account: a name (the browser's, to start with), then the browser's ceremony."""

    template_name = "onboarding/passkeys/add.html"

    def get_context_data(self, **kwargs):
        name = default_name(self.request.user, made_with_request(self.request))
        return super().get_context_data(form=PasskeyNameForm(initial={"name": name}), **kwargs)

    def post(self, request):
        form = PasskeyNameForm(data=request.POST)
        if not form.is_valid():
            return answer_error(form.errors["name"][0])
        user, name = request.user, form.cleaned_data["name"]

        def finish(new_passkey):
            try:
                with transaction.atomic():
                    add_passkey(user=user, new_passkey=new_passkey, name=name, made_with=made_with_request(request))
            except IntegrityError:
                return answer_error(ALREADY_ADDED)
            passkey_changed(request, user, PASSKEY_ADDED, name)
            messages.success(request, _("Your passkey “%(name)s” has been added.") % {"name": name})
            return answer_redirect(reverse("onboarding:account"))

        return register_step(request, user=user, finish=finish)


class OwnPasskeyMixin:
    """Views of one of the person's own passkeys, by its id; anyone else's is not found."""

    @cached_property
    def passkey(self):
        return get_object_or_404(self.request.user.passkeys.select_related("user"), pk=self.kwargs["pk"])


class RenamePasskeyView(OwnPasskeyMixin, AccountFormView):
    """Give a passkey another name. Only a label: no confirmation asked."""

    form_class = PasskeyNameForm
    title = gettext_lazy("Rename passkey")
    button = gettext_lazy("Save the name")

    def get_initial(self):
        return {"name": self.passkey.name}

    def form_valid(self, form):
        rename_passkey(self.passkey, form.cleaned_data["name"])
        messages.success(self.request, _("The passkey has been renamed."))
        return super().form_valid(form)


class RemovePasskeyView(OwnPasskeyMixin, AccountPage, ConfirmItsYouRequired, TemplateView):
    """Ask before removing a passkey; never the last way in (no password and no other passkey)."""

    template_name = "onboarding/passkeys/remove.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(passkey=self.passkey, last_way_in=is_last_way_in(self.passkey), **kwargs)

    def post(self, request, pk):
        passkey, name = self.passkey, self.passkey.name
        try:
            remove_own_passkey(passkey)
        except LastWayIn:
            return self.render_to_response(self.get_context_data(), status=409)
        passkey_changed(request, request.user, PASSKEY_REMOVED, name)
        messages.success(request, _("Your passkey “%(name)s” has been removed.") % {"name": name})
        return redirect("onboarding:account")


@method_decorator(never_cache, name="dispatch")
class ConfirmWithPasskeyView(LoginRequiredMixin, View):
    """Confirm it's you with one of this account's passkeys (the confirm page's "Use a passkey")."""

    def post(self, request):
        user, step = request.user, request.POST.get("step")
        if step == "begin":
            allow = list(user.passkeys.values_list("credential_id", flat=True))
            if not allow:
                return answer_error(_("This account has no passkey yet."))
            return JsonResponse({"options": ceremony.begin_authentication(request, allow=allow)})
        if step == "finish":
            try:
                passkey, sign_count = ceremony.finish_authentication(
                    request,
                    read_credential(request),
                    find_passkey=lambda credential_id: user.passkeys.filter(credential_id=credential_id).first(),
                )
            except ceremony.PasskeyError as error:
                logger.info("Passkey confirmation refused: %s", error.reason)
                return answer_error(error.message)
            record_use(passkey, sign_count)
            return answer_redirect(confirmed_next(request))
        return answer_error(UNCLEAR)


def passkey_instead_of_password(request, user, done):
    """A step of the reset page's "Add a passkey instead": `done(user)` answers once the passkey is kept."""
    made_with = made_with_request(request)

    def finish(new_passkey):
        name = default_name(user, made_with)
        try:
            with transaction.atomic():
                add_passkey_instead_of_password(user=user, new_passkey=new_passkey, name=name, made_with=made_with)
        except IntegrityError:
            return answer_error(ALREADY_ADDED)
        passkey_changed(request, user, PASSKEY_ADDED, name)
        return done(user)

    return register_step(request, user=user, finish=finish)
