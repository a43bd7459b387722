"""Test-only URLs: the site's own, plus some that fail on purpose so the 403, 429, 500 and 503 pages can be seen."""

from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.urls import path
from django_ratelimit.exceptions import Ratelimited

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as site_urlpatterns


def forbidden(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("A test asked for a server error.")


def rate_limited(request):
    raise Ratelimited


def database_down(request):
    raise OperationalError("A test asked for a database outage.")


urlpatterns = [
    path("test-errors/403/", forbidden),
    path("test-errors/429/", rate_limited),
    path("test-errors/500/", broken),
    path("test-errors/503/", database_down),
    *site_urlpatterns,
]
