"""Changing the account's email address: ask (after "confirm it's you"), confirm by the link sent to the new
address."""

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.generic import View

from onboarding import links
from onboarding.account.flow import ask_to_change_email
from onboarding.account.forms import ChangeEmailForm
from onboarding.account.reauth import ConfirmItsYouRequired
from onboarding.account.services import change_email, email_change_problem, find_email_change
from onboarding.account.views import AccountFormView
from onboarding.limits import MAIL_REFUSAL
from onboarding.security import events
from onboarding.session_keys import PENDING_EMAIL_KEY
from onboarding.verification.views import broken_link, link_problem


class ChangeEmailView(ConfirmItsYouRequired, AccountFormView):
    """Ask for a new address (the person has just confirmed it's them); mail a link to it. Nothing changes yet."""

    form_class = ChangeEmailForm
    title = gettext_lazy("Change email address")
    intro = gettext_lazy(
        "We will email a link to the new address. Your account keeps its current address until you open it."
    )
    button = gettext_lazy("Send the link")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "hide_taken": settings.SIGNUP_EMAIL_VERIFICATION == "mandatory"}

    def form_valid(self, form):
        request, user, email = self.request, self.request.user, form.cleaned_data["email"]
        # Mandatory verification mode: a taken address gets the same answer as a free one; its owner learns by mail.
        if not ask_to_change_email(request, user=user, email=email, owner=form.owner_of_email):
            messages.warning(request, MAIL_REFUSAL)
            return redirect("onboarding:account")
        request.session[PENDING_EMAIL_KEY] = email
        days = links.lifetimes()["change_email_days"]
        messages.success(
            request,
            ngettext(
                "We sent a link to %(email)s. Open it within %(days)d day to confirm the new address; "
                "until then your account keeps %(current)s.",
                "We sent a link to %(email)s. Open it within %(days)d days to confirm the new address; "
                "until then your account keeps %(current)s.",
                days,
            )
            % {"email": email, "current": user.email, "days": days},
        )
        return redirect("onboarding:account")


@method_decorator(never_cache, name="dispatch")
class ConfirmEmailChangeView(View):
    """Show a button for a genuine, fresh link (GET: mail scanners that open links change nothing); change (POST)."""

    template_name = "onboarding/account/confirm_email_change.html"

    def dispatch(self, request, token):
        change = find_email_change(token)
        if change is None:
            return broken_link(request)
        if change.expires_at <= timezone.now():
            days = links.lifetimes()["change_email_days"]
            return link_problem(
                request,
                title=_("This link has expired"),
                message=ngettext(
                    "Links to confirm a new email address work for %(days)d day. Ask for a new one on your account "
                    "page.",
                    "Links to confirm a new email address work for %(days)d days. Ask for a new one on your account "
                    "page.",
                    days,
                )
                % {"days": days},
                status=400,
            )
        if change.user is None:
            return link_problem(
                request,
                title=_("We could not find that account"),
                message=_("The account this link was for no longer exists."),
                status=404,
            )
        self.change, self.new_email = change, change.email
        problem = email_change_problem(change, change.user)
        if problem == "used":
            return self.changed(request, already=True)
        if problem:
            return self.superseded(request)
        return super().dispatch(request)

    def get(self, request):
        return render(request, self.template_name, {"email": self.new_email})

    def post(self, request):
        try:
            user = change_email(change_id=self.change.pk)
        except IntegrityError:
            return link_problem(
                request,
                title=_("That email address is in use"),
                message=_("Another account started using this address after you asked. Choose a different one."),
                status=400,
            )
        if user is None:
            return self.superseded(request)
        request.session.pop(PENDING_EMAIL_KEY, None)
        events.record(request, user, "email_changed", to=user.previous_email, new_email=user.email)
        return self.changed(request)

    def changed(self, request, already=False):
        return render(request, "onboarding/account/email_changed.html", {"email": self.new_email, "already": already})

    def superseded(self, request):
        return link_problem(
            request,
            title=_("This link is for an old request"),
            message=_(
                "The account's email address or password has changed since the link was sent, so it no longer works."
            ),
            status=400,
        )
