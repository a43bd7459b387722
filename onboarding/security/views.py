"""The account's "Where you're logged in" page: each session, and a way to end the others."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from onboarding.account.views import AccountPage
from onboarding.security import events
from onboarding.security.events import describe_client
from onboarding.security.sessions import end_session, end_sessions, sessions_of


class SessionsView(AccountPage, TemplateView):
    """List the sessions of this account (GET); log one other out, or all others (POST)."""

    template_name = "onboarding/account/sessions.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sessions = sessions_of(self.request.user, self.request.session.session_key)
        for session in sessions:
            session.client = describe_client(session.browser, session.system)
        context["sessions"] = sessions
        context["others"] = sum(not session.is_current for session in sessions)
        return context

    def post(self, request):
        keep = request.session.session_key
        if "everywhere" in request.POST:
            end_sessions(user=request.user, keep=keep)
            events.record(request, request.user, "logout_everywhere")
            messages.success(request, _("You have been logged out everywhere else."))
        else:
            try:
                session_id = int(request.POST.get("session", ""))
            except ValueError:
                session_id = None
            count = end_session(user=request.user, session_id=session_id, keep=keep) if session_id else 0
            if count:
                messages.success(request, _("That session has been logged out."))
            else:
                messages.info(request, _("That session had already ended."))
        return redirect("onboarding:account_sessions")
