"""Middleware of our own: personalised pages are never kept by shared caches; no file uploads; NUL bytes never
reach a view; idle staff out; the Content-Security-Policy header built once."""

import functools
import logging
import time

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.auth import logout, user_logged_in
from django.core.exceptions import BadRequest, RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.core.signals import setting_changed
from django.utils.cache import patch_cache_control

from onboarding.session_keys import STAFF_SEEN_KEY

logger = logging.getLogger(__name__)


class PrivateCacheMiddleware:
    """Mark `Cache-Control: private` on every response that depends on the visitor.

    Such a response read the session (who is logged in, the signup's answers, messages) or
    carries a CSRF token; either way Django adds `Vary: Cookie`. A proxy or CDN must not hand it
    to someone else. Pages that already say no-store (never_cache) keep saying it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        varies_on_cookie = "cookie" in response.get("Vary", "").lower()
        if varies_on_cookie or (session is not None and session.accessed):
            patch_cache_control(response, private=True)
        return response


class RefuseFileUploads:
    """Refuse a multipart body past the form cap (our 400 page) before anything reads it: no view takes a file.

    Django's 64 KB body cap (DATA_UPLOAD_MAX_MEMORY_SIZE) leaves out file parts, which it would stream to
    disk whatever their size. A smaller multipart body is read, and a file part in it refused, by
    RefuseFilesHandler (FILE_UPLOAD_HANDLERS).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.content_type.startswith("multipart/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
            if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
                from onboarding.pages.errors import bad_request

                logger.warning("Request refused: a multipart body of %s bytes (path=%s)", length, request.path)
                return bad_request(request, RequestDataTooBig())
        return self.get_response(request)


class RefuseFilesHandler(FileUploadHandler):
    """An upload handler that takes no file: a file part in a form is a request we answer with our 400 page."""

    def new_file(self, *args, **kwargs):
        raise BadRequest("a file was sent, and no form here takes one")

    def receive_data_chunk(self, raw_data, start):
        return None

    def file_complete(self, file_size):
        return None


STAFF_SEEN_EVERY = 60  # seconds between stored "last seen" times: a write a minute, not one per request


class StaffIdleTimeout:
    """End a staff or superuser session after SIGNUP_STAFF_IDLE_SECONDS without a request (0: never).

    A staff session is worth more to whoever finds a browser left open; other sessions keep the two weeks
    a signup may need. The session's own expiry follows too, so an idle session also leaves the store.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        idle = settings.SIGNUP_STAFF_IDLE_SECONDS
        user = getattr(request, "user", None)
        if idle and user is not None and user.is_authenticated and is_staff(user):
            now = int(time.time())
            seen = request.session.get(STAFF_SEEN_KEY)
            if seen is not None and now - seen > idle:
                logger.info("Staff session ended after %d idle seconds (user id=%s)", now - seen, user.pk)
                logout(request)
            elif seen is None or now - seen >= STAFF_SEEN_EVERY:
                request.session[STAFF_SEEN_KEY] = now
                request.session.set_expiry(idle)
        return self.get_response(request)


def is_staff(user):
    return user.is_staff or user.is_superuser


def staff_logged_in(sender, request, user, **kwargs):
    """Start the idle clock at login, in the session write the login makes anyway."""
    if is_staff(user) and getattr(request, "session", None) is not None:
        request.session[STAFF_SEEN_KEY] = int(time.time())
        if settings.SIGNUP_STAFF_IDLE_SECONDS:
            request.session.set_expiry(settings.SIGNUP_STAFF_IDLE_SECONDS)


user_logged_in.connect(staff_logged_in, dispatch_uid="onboarding.infra.middleware.staff_logged_in")


def holds_nul(query_dict):
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query_dict.lists())


class RefuseNulMiddleware:
    """Answer a request whose form data or query string holds a NUL byte with our 400 page.

    No person types one, and PostgreSQL refuses it in any text it is handed (a lookup raises, a 500),
    while SQLite stores it: refusing it here, before any view reads the data, keeps every view safe and
    both databases alike.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if holds_nul(request.GET) or (request.method == "POST" and holds_nul(request.POST)):
            raise BadRequest("A NUL byte in the request's data.")
        return self.get_response(request)


# What a view can set on its response to change django-csp's policy for it (its decorators do).
CSP_PER_RESPONSE = (
    "_csp_config", "_csp_update", "_csp_replace", "_csp_exempt",
    "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro", "_csp_exempt_ro",
)  # fmt: skip


@functools.cache
def site_policy():
    """The site's CSP headers as django-csp builds them from the settings: (policy, report-only policy)."""
    return build_policy(), build_policy(report_only=True)


def forget_site_policy(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        site_policy.cache_clear()


setting_changed.connect(forget_site_policy)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the headers built once: the policy is the settings' on every page here.

    django-csp builds the header from the settings on every response (a tenth of a bare request's time).
    A response whose view changed its policy, a page that used a nonce, or a policy with excluded URL
    prefixes still goes through django-csp's own code.
    """

    def process_response(self, request, response):
        custom = any(hasattr(response, name) for name in CSP_PER_RESPONSE)
        excluded = any(
            (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES")
            for name in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY")
        )
        if custom or excluded or getattr(request, "_csp_nonce", None) is not None or settings.DEBUG:
            return super().process_response(request, response)
        policy, report_only = site_policy()
        if policy and HEADER not in response:
            response[HEADER] = policy
        if report_only and HEADER_REPORT_ONLY not in response:
            response[HEADER_REPORT_ONLY] = report_only
        # As django-csp does: a nonce asked for after the header was written is an error, not a silent gap.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
