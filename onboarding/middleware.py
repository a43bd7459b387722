"""Middleware of our own: personalised pages are never kept by shared caches; NUL bytes never reach a view."""

from django.core.exceptions import BadRequest
from django.utils.cache import patch_cache_control


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
