"""The person's time zone: detected by the browser at signup, kept on the profile, active on every page.

Until a profile holds one, the zone the signup's hidden field sent is kept in the session; without
either, Korean pages use Korea's time and others UTC.
"""

import zoneinfo
from functools import cache

from django.conf import settings
from django.utils import formats, timezone, translation

from onboarding.session_keys import TIME_ZONE_KEY

# The zone a language's readers most likely live in, when the browser did not say.
LANGUAGE_ZONES = {"ko": "Asia/Seoul"}


@cache
def known_zones():
    return frozenset(zoneinfo.available_timezones())


def is_known(name):
    return bool(name) and name in known_zones()


def choices():
    """The zones to pick from: the Area/City ones, and UTC (a browser may report it; it must stay pickable)."""
    names = sorted(name for name in known_zones() if "/" in name and not name.startswith("Etc/"))
    return [("UTC", "UTC"), *((name, name) for name in names)]


def default_for(language):
    return LANGUAGE_ZONES.get((language or "").split("-")[0], settings.TIME_ZONE)


def zone_name(request):
    """The zone this request's pages show times in: the session's (the profile's once logged in), else the language's.

    The session is read only when the browser sent a session cookie, so a first visit stays
    cacheable; logging in copies the profile's zone into the session (no query per page).
    """
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        name = request.session.get(TIME_ZONE_KEY)
        if is_known(name):
            return name
    return default_for(translation.get_language())


def remember(request, name):
    """Show this session's pages in this zone, if it is one we know (what a browser reports is only a hint)."""
    if is_known(name):
        request.session[TIME_ZONE_KEY] = name


def remember_profile_zone(sender, request, user, **kwargs):
    """On login (user_logged_in): the account's zone becomes the session's."""
    profile = getattr(user, "profile", None)
    if request is not None and profile is not None:
        remember(request, profile.time_zone)


def format_datetime(value, name):
    """A moment as the person reads it, with the zone named: "2026년 12월 8일 오전 8:32 (Asia/Seoul)"."""
    local = timezone.localtime(value, zoneinfo.ZoneInfo(name))
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({name})"


def for_user(user):
    """The zone a mail to this person is written in."""
    profile = getattr(user, "profile", None)
    if profile is not None and is_known(profile.time_zone):
        return profile.time_zone
    return default_for(user.mail_language)


class TimeZoneMiddleware:
    """Show every time on the page in the person's zone (after the locale and authentication middleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = zone_name(request)
        with timezone.override(zoneinfo.ZoneInfo(name)):
            return self.get_response(request)
