"""The signup funnel: count where people get to and where they stop (with Redis, without a database query).

Each event adds one to a counter in Redis when REDIS_URL is set (past days are rolled up into FunnelDay
rows, once, so a flushed cache loses at most today's counts), else straight to the FunnelDay rows, which
every worker shares (one transaction per event, with its once-mark when it has one: a site without Redis is
a small one). Nothing recorded identifies a person: events, the page's language, field names, error codes
and time buckets only.
"""

import time
from collections import Counter

from django.conf import settings
from django.utils import translation

from onboarding.funnel import store

STEP_EVENTS = {"account": "account", "profile": "profile"}
# Seconds from starting the wizard to "Create account", counted in these buckets (the last is "longer").
DURATION_BUCKETS = [30, 60, 120, 180, 300, 600, 900, 1800, 3600, 3 * 3600, 24 * 3600, 7 * 24 * 3600]
LONGER = "more"


def language():
    code = translation.get_language() or settings.LANGUAGE_CODE
    known = {code for code, _ in settings.LANGUAGES}
    return code if code in known else translation.get_supported_language_variant(code)


def record(event, *, count=1, field="", code="", lang=None, once_for=None):
    """Count `event` today; with `once_for` (a wizard's random id) at most once for that wizard."""
    dimensions = (event, language() if lang is None else lang, field, code)
    once = f"funnel:once:{event}:{once_for}" if once_for else None
    store.add_many(store.today(), {dimensions: count}, once=once, timeout=settings.SESSION_COOKIE_AGE)


def start():
    """A wizard began: count it and return the moment, which the wizard keeps to time the signup."""
    record("started")
    return int(time.time())


def step_done(wizard_id, step):
    if step in STEP_EVENTS:
        record(STEP_EVENTS[step], once_for=wizard_id)


def reached(wizard_id, step, last_step):
    if step == last_step and wizard_id:
        record("confirm", once_for=wizard_id)


def step_errors(step, form):
    """Count each error code per field, all in one write; the values people typed are not looked at."""
    counters = Counter()
    lang = language()
    for name, errors in form.errors.as_data().items():
        field = f"{step}-{name}" if name != "__all__" else f"{step}-form"
        for error in errors:
            counters["error", lang, field, error.code or "invalid"] += 1
    if counters:
        store.add_many(store.today(), dict(counters))


def created(started, risk=""):
    """An account was made (the last step: the database is in use anyway, so past days are rolled up here).

    `risk`: its level (review/risk.py), counted per day so the funnel shows signups by risk without reading
    the profiles."""
    counters = {("created", language(), "", ""): 1}
    if risk:
        counters["risk", "", "", risk] = 1
    if started:
        counters["duration", "", "", duration_bucket(int(time.time()) - int(started))] = 1
    store.add_many(store.today(), counters)  # both in one write
    store.roll_up_past_days()


def duration_bucket(seconds):
    for limit in DURATION_BUCKETS:
        if seconds <= limit:
            return str(limit)
    return LONGER
