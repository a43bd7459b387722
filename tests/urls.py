"""Test-only URLs: the site's own, plus two that fail on purpose so the 403 and 500 pages can be seen."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns as site_urlpatterns  # noqa: F401


def forbidden(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("A test asked for a server error.")


urlpatterns = [
    path("test-errors/403/", forbidden),
    path("test-errors/500/", broken),
    *site_urlpatterns,
]
