"""The site's URLs plus one bare view, served only under bench.settings."""

from django.http import HttpResponse
from django.urls import path

from config.urls import *  # noqa: F401,F403
from config.urls import urlpatterns as site_urlpatterns


def bare(request):
    """Answer through the whole middleware stack and nothing else: the floor for one request."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *site_urlpatterns]
