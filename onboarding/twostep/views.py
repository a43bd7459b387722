"""Two-step verification's pages: turning it on (QR code, setup key, a code to prove it), the recovery codes
shown once, new codes, turning it off; and the login's second step (a code, or a recovery code)."""

from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, TemplateView, View

from onboarding.account.reauth import ConfirmItsYouRequired
from onboarding.mail.queue import site_name
from onboarding.twostep import flow, services, totp
from onboarding.twostep.forms import CodeForm, RecoveryCodeForm

ACCOUNT_URL = reverse_lazy("onboarding:account")
# Error reports (the 500 mail, a debug page) show these as stars.
CODE_FIELDS = ("code", "recovery_code")
# Below this many recovery codes left, the person is asked to make new ones.
FEW_CODES_LEFT = 3


@method_decorator(never_cache, name="dispatch")
@method_decorator(sensitive_post_parameters(*CODE_FIELDS), name="dispatch")
class TwoStepPage(LoginRequiredMixin):
    """A page of the person's own two-step verification: only for them, never cached."""


class TurnOnView(TwoStepPage, ConfirmItsYouRequired, FormView):
    """Show the QR code and the setup key, then turn two-step verification on once a code from the app is right."""

    template_name = "onboarding/twostep/turn_on.html"
    form_class = CodeForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and services.has_two_step(request.user):
            messages.info(request, _("Two-step verification is already on."))
            return redirect(ACCOUNT_URL)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        setup = flow.setup_details(self.request, self.request.user)
        label = _("QR code for setting up your authenticator app")
        return super().get_context_data(
            # segno's SVG: paths and attributes only, with our label escaped into it (totp.qr_svg).
            qr_code=mark_safe(totp.qr_svg(setup["uri"], label=label)),
            setup_key=setup["grouped_secret"],
            account_name=self.request.user.get_username(),
            issuer=site_name(),
            **kwargs,
        )

    def form_valid(self, form):
        if not flow.finish_setup(self.request, self.request.user, form.cleaned_data["code"]):
            form.wrong_code()
            return self.form_invalid(form)
        return redirect("onboarding:two_step_codes")


class RecoveryCodesView(TwoStepPage, TemplateView):
    """Show the recovery codes just made, once, with "Download as text"; "I have saved my codes" ends it."""

    template_name = "onboarding/twostep/recovery_codes.html"

    def get(self, request, *args, **kwargs):
        codes = flow.new_codes(request)
        if codes is None:
            return redirect(ACCOUNT_URL)
        return self.render_to_response(self.get_context_data(codes=codes))

    def post(self, request, *args, **kwargs):
        flow.forget_new_codes(request)
        messages.success(request, _("Two-step verification is on. Keep your recovery codes somewhere safe."))
        return redirect(ACCOUNT_URL)


class DownloadRecoveryCodesView(TwoStepPage, View):
    """The recovery codes just made, as a text file (from this site: no data: or blob: address)."""

    def get(self, request):
        codes = flow.new_codes(request)
        if codes is None:
            raise Http404("No recovery codes to download: they are shown only right after they are made.")
        heading = _("Recovery codes for %(username)s at %(site_name)s. Each code works once.") % {
            "username": request.user.get_username(),
            "site_name": site_name(),
        }
        response = HttpResponse("\n".join([heading, "", *codes, ""]), content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="recovery-codes.txt"'
        return response


class ConfirmedActionView(TwoStepPage, ConfirmItsYouRequired, TemplateView):
    """A page that explains one change and makes it with one button, after "confirm it's you"."""

    template_name = "onboarding/twostep/action.html"
    title = intro = button = ""
    button_class = "btn-primary"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not services.has_two_step(request.user):
            messages.info(request, _("Two-step verification is off."))
            return redirect(ACCOUNT_URL)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=self.title, intro=self.intro, button=self.button, button_class=self.button_class, **kwargs
        )


class NewRecoveryCodesView(ConfirmedActionView):
    """Make ten new recovery codes; the old ones stop working."""

    title = gettext_lazy("New recovery codes")
    intro = gettext_lazy("We make 10 new recovery codes and show them once. Your old codes stop working, used or not.")
    button = gettext_lazy("Make new recovery codes")

    def post(self, request, *args, **kwargs):
        flow.renew_codes(request, request.user)
        return redirect("onboarding:two_step_codes")


class TurnOffView(ConfirmedActionView):
    """Turn two-step verification off: the app's codes and the recovery codes stop working."""

    title = gettext_lazy("Turn off two-step verification")
    intro = gettext_lazy(
        "After this, your password alone logs you in. Codes from your authenticator app and your recovery codes "
        "stop working; you can remove this site from the app."
    )
    button = gettext_lazy("Turn off")
    button_class = "btn-danger"

    def post(self, request, *args, **kwargs):
        flow.turn_off(request, request.user)
        messages.success(request, _("Two-step verification is off."))
        return redirect(ACCOUNT_URL)


# Logging in ---------------------------------------------------------------------------------------------------


class SecondStepLogin:
    """For a login view: a right password for an account with two-step verification on leads to the code page,
    not into the account. The password's own refusals (awaiting review, unconfirmed address…) come first, in the
    form, as before."""

    def form_valid(self, form):
        user = form.get_user()
        if not services.has_two_step(user):
            return super().form_valid(form)
        flow.begin_login(self.request, user, self.get_success_url())
        return HttpResponseRedirect(reverse("login_code"))


class AdminLoginView(SecondStepLogin, auth_views.LoginView):
    """The admin's login form (AdminSite.login's), with the second step."""


def admin_login(request):
    """AdminSite.login, through AdminLoginView: the admin's page and form, with the code page after it."""
    site = admin.site
    if request.method == "GET" and site.has_permission(request):
        return HttpResponseRedirect(reverse("admin:index", current_app=site.name))
    from django.contrib.admin.forms import AdminAuthenticationForm

    context = {
        **site.each_context(request),
        "title": _("Log in"),
        "subtitle": None,
        "app_path": request.get_full_path(),
        "username": request.user.get_username(),
    }
    if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
        context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=site.name)
    request.current_app = site.name
    return AdminLoginView.as_view(
        extra_context=context,
        authentication_form=site.login_form or AdminAuthenticationForm,
        template_name=site.login_template or "admin/login.html",
    )(request)


@method_decorator(never_cache, name="dispatch")
@method_decorator(sensitive_post_parameters(*CODE_FIELDS), name="dispatch")
class SecondStepView(FormView):
    """The login's second step: after the right password, a code; only then logged in."""

    kind = ""

    def dispatch(self, request, *args, **kwargs):
        waiting = flow.login_waiting(request)
        self.pending = flow.pending_login(request)
        if self.pending is None:
            if waiting:
                messages.info(request, _("That took too long, so we stopped. Log in again."))
            return redirect("login")
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        next(iter(form.fields.values())).widget.attrs["autofocus"] = True
        return form

    def form_valid(self, form):
        if not self.code_taken(form):
            form.wrong_code()
            return self.form_invalid(form)
        flow.finish_login(self.request, self.pending, self.kind)
        self.after_login()
        return HttpResponseRedirect(self.pending.next_url)

    def after_login(self):
        pass


class CodeLoginView(SecondStepView):
    """Ask for a code from the authenticator app."""

    template_name = "onboarding/twostep/login_code.html"
    form_class = CodeForm
    kind = "code"

    def code_taken(self, form):
        return services.use_code(user=self.pending.user, code=form.cleaned_data["code"])


class RecoveryCodeLoginView(SecondStepView):
    """Ask for one of the recovery codes instead; each works once."""

    template_name = "onboarding/twostep/login_recovery.html"
    form_class = RecoveryCodeForm
    kind = "recovery_code"

    def code_taken(self, form):
        return services.use_recovery_code(user=self.pending.user, code=form.cleaned_data["recovery_code"])

    def after_login(self):
        left = services.recovery_codes_left(self.request.user)
        text = ngettext(
            "You logged in with a recovery code. You have %(count)d code left.",
            "You logged in with a recovery code. You have %(count)d codes left.",
            left,
        ) % {"count": left}
        if left <= FEW_CODES_LEFT:
            messages.warning(self.request, text + " " + _("Make new recovery codes from your account."))
        else:
            messages.info(self.request, text)
