"""Response headers of our own: personalised pages are never kept by shared caches."""

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
