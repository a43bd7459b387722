"""Reading the funnel for a period: totals, drop-off, timings, errors, signups per day and languages."""

import datetime
from collections import Counter

from django.conf import settings
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from onboarding.funnel import DURATION_BUCKETS, LONGER, names, store
from onboarding.models import FunnelDay, RiskLevel

PERIODS = (7, 30, 90)
STEPS = [
    ("started", _("Wizards started")),
    ("account", _("Account step done")),
    ("profile", _("Profile step done")),
    ("confirm", _("Confirm step reached")),
    ("created", _("Accounts created")),
    ("confirmed", _("Emails confirmed")),
    ("approved", _("Approved")),
    ("rejected", _("Rejected")),
]
MAX_BAR = 40
# Steps in a row: each one's drop-off is counted from the one before it.
CHAIN = ["started", "account", "profile", "confirm", "created", "confirmed"]


def counters(days):
    """Every counter of the last `days` days (today included): rolled-up rows, then the cache's days."""
    store.roll_up_past_days()
    today = store.today()
    since = today - datetime.timedelta(days=days - 1)
    total = Counter()
    rows = FunnelDay.objects.filter(day__gte=since).values_list("day", "event", "language", "field", "code", "count")
    for day, event, language, field, code, count in rows:
        total[(day, event, language, field, code)] += count
    for day in store.days():
        if day >= since:
            for (event, language, field, code), count in store.read(day).items():
                total[(day, event, language, field, code)] += count
    return since, today, total


def funnel(days):
    since, today, total = counters(days)
    events = Counter()
    per_day = Counter()
    languages = Counter()
    errors = Counter()
    durations = Counter()
    risks = Counter()
    for (day, event, language, field, code), count in total.items():
        if event == "error":
            errors[(field, code)] += count
        elif event == "duration":
            durations[code] += count
        elif event == "risk":
            risks[code] += count
        else:
            events[event] += count
        if event == "created":
            per_day[day] += count
            languages[language] += count
    steps = step_rows(events)
    return {
        "days": days,
        "since": since,
        "until": today,
        "steps": steps,
        "decisions": [
            {"label": label, "count": events[event]} for event, label in STEPS if event in ("approved", "rejected")
        ],
        "median": percentile(durations, 0.5),
        "p90": percentile(durations, 0.9),
        "timed": sum(durations.values()),
        "errors": [
            {
                "field": field,
                "code": code,
                "count": count,
                "field_name": names.field_name(field),
                "code_name": names.error_name(code),
            }
            for (field, code), count in errors.most_common()
        ],  # fmt: skip
        "per_day": [
            {"day": since + datetime.timedelta(days=offset), "count": per_day[since + datetime.timedelta(days=offset)]}
            for offset in range(days)
        ],
        "languages": language_rows(languages),
        "risks": risk_rows(risks),
    }


def step_rows(events):
    labels = dict(STEPS)
    rows = []
    previous = None
    for event in CHAIN:
        count = events[event]
        row = {"event": event, "label": labels[event], "count": count, "lost": None, "lost_percent": None}
        # A step can count more people than the one before it: some began before the period did, or the
        # days were rebuilt from the database, which knows accounts but not wizards. No drop-off then.
        if previous is not None and previous >= count:
            row["lost"] = previous - count
            row["lost_percent"] = round(100 * (previous - count) / previous, 1) if previous else None
        rows.append(row)
        previous = count
    return rows


def language_rows(languages):
    names = dict(settings.LANGUAGES)
    total = sum(languages.values())
    return [
        {"code": code, "name": names.get(code) or _("Not known"), "count": count,
         "percent": round(100 * count / total, 1) if total else 0}
        for code, count in languages.most_common()
    ]  # fmt: skip


def risk_rows(risks):
    """Accounts made per risk level (review/risk.py), riskiest first; those made before levels were counted
    are not in it."""
    total = sum(risks.values())
    return [
        {"level": level, "label": level.label, "count": risks[level],
         "percent": round(100 * risks[level] / total, 1) if total else 0}
        for level in reversed(RiskLevel)
    ]  # fmt: skip


def percentile(buckets, share):
    """The bucket holding the given share of timed signups, as its upper bound in seconds (None if none)."""
    total = sum(buckets.values())
    if not total:
        return None
    seen = 0
    for limit in [*map(str, DURATION_BUCKETS), LONGER]:
        seen += buckets.get(limit, 0)
        if seen >= share * total:
            return None if limit == LONGER else int(limit)
    return None


def nice_top(value):
    """The axis's top: the count rounded up to 1, 2 or 5 times a power of ten, so its ticks are round numbers."""
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if value <= step * magnitude:
                return step * magnitude
        magnitude *= 10


def chart(per_day, width=720, height=240):
    """Bars for signups per day with both axes, as numbers an SVG template draws (no script, no inline style).

    Bars never grow wider than MAX_BAR (one day is a bar, not a block), a day with signups is never
    drawn thinner than a line, and at most about eight days are labelled, evenly spaced.
    """
    left, right, top_margin, bottom = 44, 8, 12, 36
    plot_width, plot_height = width - left - right, height - top_margin - bottom
    top = nice_top(max([row["count"] for row in per_day] + [1]))
    slot = plot_width / max(len(per_day), 1)
    bar_width = min(slot * 0.8, MAX_BAR)
    baseline = top_margin + plot_height
    bars, labels = [], []
    every = max(1, -(-len(per_day) // 8))
    axis_format = pgettext("date on the funnel chart's axis", "j M")
    for index, row in enumerate(per_day):
        bar_height = row["count"] / top * plot_height
        if row["count"]:
            bar_height = max(bar_height, 2)
        centre = left + index * slot + slot / 2
        bars.append(
            {
                "x": round(centre - bar_width / 2, 1),
                "y": round(baseline - bar_height, 1),
                "width": round(bar_width, 1),
                "height": round(bar_height, 1),
                "day": row["day"],
                "count": row["count"],
            }
        )
        if index % every == 0 or index == len(per_day) - 1 and index % every > every // 2:
            labels.append({"x": round(centre, 1), "text": date_format(row["day"], axis_format)})
    ticks = [{"y": round(baseline - value / top * plot_height, 1), "value": value} for value in (0, top // 2, top)]
    return {
        "width": width,
        "height": height,
        "top": top,
        "bars": bars,
        "left": left,
        "right": width - right,
        "baseline": baseline,
        "label_y": baseline + 18,
        "ticks": [tick for number, tick in enumerate(ticks) if number == 0 or tick["value"]],
        "labels": labels,
        "tick_x": left - 6,
    }
