"""`make bench-admin`: the admin at a million signups on a throwaway PostgreSQL database.

Seeds the database (seed_signups), then, in a Django process of its own, times each admin page with a
logged-in session (server time: Django's test client, no network), counts its queries, streams the
CSV export of every user while watching the process's memory, and approves 10,000 pending signups
selected through a filtered list. Prints a table and writes bench/admin-results.json. Every loop has a
fixed number of rounds; the database is dropped at the end.
"""

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "admin-results.json"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/postgres"
REVIEWER = "bench_reviewer"
TARGET_MS = 300
DECIDE = 10_000


def environment(database_url, **extra):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "testserver",
        # Production refuses to start without it (links in mail); the test client's host.
        "SITE_URL": "http://testserver",
        # The reviewer is logged in by the test client; the second step staff need is not what is timed here.
        "SIGNUP_STAFF_REQUIRE_2FA": "0",
        "DATABASE_URL": database_url,
        # Pending signups wait inactive, so approving them activates accounts and sends (or queues) mail.
        "SIGNUP_REQUIRES_APPROVAL": "1",
        # Production's queue: approval emails wait in a table for `manage.py mail_worker`.
        "DJANGO_TASKS_BACKEND": "database",
        **extra,
    }


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], env=env, cwd=ROOT, check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=int(os.environ.get("BENCH_ADMIN_COUNT", 1_000_000)))
    parser.add_argument("--rounds", type=int, default=15, help="timed requests per page")
    args = parser.parse_args()

    from bench.run import throwaway_database

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = DEFAULT_URL
    os.environ["DATABASE_URL"] = url
    with throwaway_database(ROOT) as (vendor, database_url):
        env = environment(database_url)
        manage(env, "migrate", "--noinput", "-v0")
        password = secrets.token_urlsafe(16)
        manage({**env, "DJANGO_SUPERUSER_PASSWORD": password}, "createsuperuser", "--noinput",
               "--username", REVIEWER, "--email", "reviewer@example.com")  # fmt: skip
        started = time.perf_counter()
        manage(env, "seed_signups", "--count", str(args.count))
        seed_seconds = time.perf_counter() - started
        # The funnel page then charts the million accounts' days (created, approved, rejected).
        started = time.perf_counter()
        manage(env, "rebuild_funnel")
        funnel_seconds = time.perf_counter() - started
        out = subprocess.run(
            [sys.executable, "-m", "bench.admin", "--measure", "--rounds", str(args.rounds)],
            env=env, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        results = json.loads(out.stdout)
    results = {
        "signups": args.count,
        "seed_seconds": round(seed_seconds, 1),
        "rebuild_funnel_seconds": round(funnel_seconds, 1),
        **results,
    }
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print_table(results)
    print(f"\nWrote {RESULTS.relative_to(ROOT)}")


def print_table(results):
    print(
        f"\nAdmin at {results['signups']:,} signups on PostgreSQL (seeded in {results['seed_seconds']} s, "
        f"funnel rebuilt from them in {results['rebuild_funnel_seconds']} s)\n"
    )
    print(f"| page | p50 ms | p95 ms | queries | rows shown | ≤ {TARGET_MS} ms p50 |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for page in results["pages"]:
        ok = "yes" if page["p50_ms"] <= TARGET_MS else "no"
        print(f"| {page['page']} | {page['p50_ms']} | {page['p95_ms']} | {page['queries']} | {page['rows']} | {ok} |")
    export = results["export"]
    print(
        f"\nCSV export of all {export['rows']:,} users: {export['seconds']} s, {export['megabytes']} MB streamed, "
        f"peak memory {export['peak_rss_mb']} MB (was {export['start_rss_mb']} MB before)"
    )
    decide = results["approve"]
    print(
        f"Approving {decide['selected']:,} selected pending signups: {decide['seconds']} s, "
        f"{decide['log_entries']:,} log entries, approval emails queued in {decide['emails_queued_tasks']:,} tasks "
        f"({decide['emails_sent_in_request']} sent in the request)"
    )


# The measuring process -------------------------------------------------------------


def rss_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(rounds):
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.admin.models import LogEntry
    from django.core import mail
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings, setup_test_environment
    from django.utils.http import urlencode
    from django_tasks_db.models import DBTaskResult

    from onboarding.models import Profile, ReviewStatus, User
    from onboarding.review.users import UserAdmin

    setup_test_environment()  # the locmem outbox, and the response's context for counting rows
    # Plain static names: hashed ones need `collectstatic`, which is no part of a page's server time.
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}).enable()
    client = Client()
    client.force_login(User.objects.get(username=REVIEWER))
    changelist = "/admin/onboarding/user/"
    sample = User.objects.filter(profile__isnull=False).order_by("pk")[1000]
    korean_names = Profile.objects.filter(real_name__regex=r"^[가-힣]{3}$").order_by("pk")
    korean = korean_names.values_list("real_name", flat=True)[500]
    # The Risk column's place in the list's ?o= (the action checkbox comes first).
    risk_column = 1 + UserAdmin.list_display.index("risk")
    pages = [
        ("users list", changelist),
        ("pending filter", f"{changelist}?profile__review_status__exact=pending"),
        ("risk filter (high)", f"{changelist}?profile__risk_level__exact=high"),
        ("riskiest first", f"{changelist}?o=-{risk_column}"),
        ("pending, riskiest first", f"{changelist}?profile__review_status__exact=pending&o=-{risk_column}"),
        ("search: part of a username", f"{changelist}?q={sample.username[1:-2]}"),
        ("search: part of an email", f"{changelist}?q={sample.email.split('@')[0][2:]}@"),
        ("search: part of a full name", f"{changelist}?q=Amelia+Clar"),
        ("search: a Korean name", f"{changelist}?q={korean}"),
        ("date drill-down (a month)", f"{changelist}?date_joined__year={sample.date_joined.year}"
                                      f"&date_joined__month={sample.date_joined.month}"),
        ("a user's page", f"{changelist}{sample.pk}/change/"),
        ("admin index", "/admin/"),
    ]  # fmt: skip
    funnel = "/admin/onboarding/funnelday/"
    if client.get(funnel).status_code == 200:
        pages.append(("signup funnel", funnel))
    measured = []
    for name, url in pages:
        for _ in range(2):  # warm the caches, as a server that has been up does
            client.get(url)
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        cl = response.context and response.context.get("cl")
        measured.append(
            {
                "page": name,
                "url": url,
                "p50_ms": round(statistics.median(times)),
                "p95_ms": round(statistics.quantiles(times, n=20)[-1]),
                "queries": len(queries),
                "rows": len(cl.result_list) if cl else "",
            }
        )
        print(f"measured {name}", file=sys.stderr)

    # Export every user (Django's "select all"), reading the stream as a browser would.
    start_rss = rss_mb()
    peak = start_rss
    started = time.perf_counter()
    response = client.post(changelist, {"action": "export_csv", "select_across": "1", "index": "0",
                                        "_selected_action": [sample.pk]})  # fmt: skip
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
        if lines % 20_000 == 0:
            peak = max(peak, rss_mb())
    export = {
        "rows": lines - 1,
        "seconds": round(time.perf_counter() - started, 1),
        "megabytes": round(size / 1e6, 1),
        "start_rss_mb": round(start_rss),
        "peak_rss_mb": round(max(peak, rss_mb())),
    }
    print("measured export", file=sys.stderr)

    # Approve 10,000 pending signups: the oldest ones, selected as "all" of a filtered list.
    pending = Profile.objects.filter(review_status=ReviewStatus.PENDING).order_by("user__date_joined")
    decide = min(DECIDE, pending.count() // 2)  # smaller runs (BENCH_ADMIN_COUNT) decide on fewer
    first = pending.values_list("user__date_joined", flat=True)[0]
    last = pending.values_list("user__date_joined", flat=True)[decide]
    window = urlencode(
        {"profile__review_status__exact": "pending", "date_joined__gte": first.isoformat(),
         "date_joined__lt": last.isoformat()}
    )  # fmt: skip
    logged = LogEntry.objects.count()
    queued = DBTaskResult.objects.count()
    mail.outbox = []
    started = time.perf_counter()
    action = {"action": "approve_selected", "select_across": "1", "index": "0", "_selected_action": [sample.pk]}
    response = client.post(f"{changelist}?{window}", {**action, "post": "yes"})
    seconds = time.perf_counter() - started
    assert response.status_code == 302, response.status_code
    approve = {
        "selected": decide,
        "seconds": round(seconds, 1),
        "log_entries": LogEntry.objects.count() - logged,
        # Approval emails go through the task queue (rendered and sent by the worker, not in the request).
        "emails_queued_tasks": DBTaskResult.objects.count() - queued,
        "emails_sent_in_request": len(mail.outbox),
    }
    json.dump({"pages": measured, "export": export, "approve": approve}, sys.stdout)


if __name__ == "__main__":
    if "--measure" in sys.argv:
        rounds = int(sys.argv[sys.argv.index("--rounds") + 1])
        measure(rounds)
    else:
        main()
