"""Run the benchmark: `python -m bench.run` (or `make bench`); prints a table and writes bench/results.json."""

import argparse
import asyncio
import json
import logging
import math
import multiprocessing
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url

from bench import passkeys
from tests.servers import free_port, running, wait_until_healthy

ROOT = Path(__file__).resolve().parent.parent
BARE_PATH = "/bench/bare/"
LANDING_PATH = "/"
# The steps before "Create account": the targets on latency and queries are about these.
NON_FINAL = ("account GET", "account POST", "profile GET", "profile POST")


# Stack ---------------------------------------------------------------------------


@contextmanager
def throwaway_database(tmp):
    """A database for this run only: a SQLite file in `tmp`, or a new PostgreSQL database dropped afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url or url.startswith("sqlite"):
        yield "sqlite", f"sqlite:///{tmp}/bench.sqlite3"
        return
    config = dj_database_url.parse(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        sys.exit(f"make bench runs on SQLite or PostgreSQL, not {config['ENGINE']}.")
    import psycopg

    name = f"signup_bench_{secrets.token_hex(4)}"
    admin = psycopg.connect(url, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield "postgresql", urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def stack_environment(database_url, key_prefix, static_root, cpu_dir):
    """The production settings over plain HTTP on loopback, with the rate limit off and the bare view added."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        # Required with DEBUG off; the load generator follows no mailed link, so the port need not match.
        "SITE_URL": "http://127.0.0.1",
        "SIGNUP_RATE_LIMIT": "0",
        "DATABASE_URL": database_url,
        "DJANGO_STATIC_ROOT": str(static_root),
        "BENCH_KEY_PREFIX": key_prefix,
        "BENCH_CPU_DIR": str(cpu_dir),
    }


def remove_redis_keys(key_prefix):
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    keys = list(client.scan_iter(f"{key_prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()


def workers_cpu_seconds(master_pid):
    """CPU time used so far by the children of `master_pid` (gunicorn's workers), from /proc."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # Fields after the parenthesised command name: state, ppid, ..., utime (12th), stime (13th).
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        if int(fields[1]) == master_pid:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


@contextmanager
def gunicorn(env, workers, log_path):
    """Serve the site as `make serve` does, on a free loopback port, until the block ends; yields its URL and pid."""
    base_url = f"http://127.0.0.1:{free_port()}"
    command = [
        # config/gunicorn.conf.py, plus the CPU meter per request (bench/gunicorn.conf.py).
        sys.executable, "-m", "gunicorn", "--config", "bench/gunicorn.conf.py", "config.wsgi",
        "--bind", base_url.removeprefix("http://"), "--workers", str(workers),
        # A worker replaced mid-level would take its CPU time with it (and boot, which is no signup's cost).
        "--max-requests", "0",
    ]  # fmt: skip
    # gunicorn's access log and the app's log lines go to a file, not between the results.
    with running(command, env=env, log_path=log_path) as server:
        try:
            # The bare view: no database or cache write before the measurements.
            wait_until_healthy(base_url, server, log_path, seconds=30, path=BARE_PATH)
        except AssertionError as error:
            sys.exit(f"gunicorn did not start: {error}")
        yield base_url, server.pid


# Measurements --------------------------------------------------------------------


def cpu_meter_mark(directory):
    """How far each worker's CPU meter file has been written: pass to cpu_records to read what comes after."""
    return {path.name: path.stat().st_size for path in Path(directory).glob("*.tsv")}


def cpu_records(directory, since):
    """The requests the workers' CPU meter wrote after the mark `since`: (label, CPU s, Argon2 CPU s) each."""
    records = []
    for path in sorted(Path(directory).glob("*.tsv")):
        with path.open("rb") as file:
            file.seek(since.get(path.name, 0))
            for line in file.read().decode().splitlines():
                label, cpu, hashing = line.split("\t")
                records.append((label, float(cpu), float(hashing)))
    return records


def cpu_by_label(records):
    """Per label: how many requests, and the CPU milliseconds per request besides Argon2 (mean, p50), and in it."""
    grouped = {}
    for label, cpu, hashing in records:
        grouped.setdefault(label, []).append((cpu - hashing, hashing))
    return {
        label: {
            "count": len(rows),
            "mean_ms": 1000 * statistics.fmean(rest for rest, _ in rows),
            "p50_ms": percentile([rest for rest, _ in rows], 0.5),
            "hash_ms": 1000 * statistics.fmean(hashing for _, hashing in rows),
        }
        for label, rows in grouped.items()
    }


def hash_for(seconds):
    """Hash with the configured hasher for `seconds` (one process); return hashes per second, CPU seconds per hash."""
    from django.contrib.auth.hashers import make_password

    from bench.signup import PASSWORD

    make_password(PASSWORD)  # the first hash allocates the hasher's memory
    count = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        make_password(PASSWORD)
        count += 1
    return count / (time.perf_counter() - start), (time.process_time() - cpu_start) / count


def hashing_limit(processes, seconds):
    """Hashes per second with every core hashing and nothing else."""
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        return sum(rate for rate, _ in pool.map(hash_for, [seconds] * processes))


def percentile(values, fraction):
    """Nearest-rank percentile, in milliseconds."""
    ordered = sorted(values)
    return 1000 * ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def level(base_url, server_pid, concurrency, args, prefix, cores, cpu_dir):
    from bench.load import bare_requests, signups
    from bench.signup import LABELS

    meter_start = cpu_meter_mark(cpu_dir)
    bare, bare_failed = asyncio.run(
        bare_requests(
            base_url,
            BARE_PATH,
            concurrency=concurrency,
            seconds=args.bare_seconds,
            max_requests=args.max_bare,
            label="bare view",
        )
    )
    bare_p50 = percentile(bare, 0.5)
    landing, landing_failed = asyncio.run(
        bare_requests(
            base_url,
            LANDING_PATH,
            concurrency=concurrency,
            seconds=args.landing_seconds,
            max_requests=args.max_bare,
            label="landing GET",
        )
    )
    cpu_before, server_cpu_before = time.process_time(), workers_cpu_seconds(server_pid)
    outcome, latencies = asyncio.run(
        signups(
            base_url,
            concurrency=concurrency,
            seconds=args.signup_seconds,
            max_signups=args.max_signups,
            prefix=f"{prefix}c{concurrency}n",
        )
    )
    client_cpu = time.process_time() - cpu_before
    server_cpu = workers_cpu_seconds(server_pid) - server_cpu_before
    metered = cpu_records(cpu_dir, since=meter_start)
    signup_cpu_besides_hash = sum(cpu - hashing for label, cpu, hashing in metered if label in LABELS)
    rate = outcome["completed"] / outcome["seconds"]
    requests = {}
    for label, values in latencies.items():
        p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
        requests[label] = {
            "count": len(values),
            "p50_ms": p50,
            "p95_ms": p95,
            "p50_vs_bare_p50": p50 / bare_p50,
            "p95_vs_bare_p50": p95 / bare_p50,
        }
    return {
        "concurrency": concurrency,
        **outcome,
        "signups_per_second": rate,
        # CPU time, unlike wall time, barely moves when other programs share the machine.
        "server_cpu_ms_per_signup": 1000 * server_cpu / max(outcome["completed"], 1),
        # The same from the workers' meter, less Argon2: what the signup costs besides its hash.
        "server_cpu_ms_per_signup_besides_hash": 1000 * signup_cpu_besides_hash / max(outcome["completed"], 1),
        "cpu": cpu_by_label(metered),
        # The load generator shares the machine; this is its share of all cores.
        "load_generator_cpu_share": client_cpu / (outcome["seconds"] * cores),
        "bare": {
            "count": len(bare),
            "failed": bare_failed,
            "p50_ms": bare_p50,
            "p95_ms": percentile(bare, 0.95),
        },
        "landing": {
            "count": len(landing),
            "failed": landing_failed,
            "p50_ms": percentile(landing, 0.5),
            "p95_ms": percentile(landing, 0.95),
        },
        "requests": requests,
    }


# Report --------------------------------------------------------------------------


def evaluate(results):
    """Each target of issues 7 and 20 with the measured value and whether it was met."""
    targets = []
    best = max(results["levels"], key=lambda row: row["signups_per_second"])
    targets.append(
        {
            "target": "signups/s at the best concurrency >= 0.9 x hashing limit",
            "value": f"{best['signups_per_second']:.2f}/s at c={best['concurrency']} = "
            f"{best['ratio_to_hashing_limit']:.2f} x {best['hashing_limit']:.2f}/s "
            f"({best['ratio_to_hashing_limit_less_load_generator']:.2f} with the load generator's CPU set aside)",
            "met": best["ratio_to_hashing_limit"] >= 0.9,
        }
    )
    cpu = results["cpu"]
    landing = cpu["landing GET"]["mean_ms"]
    for label in results["labels"]:
        if label.endswith(" GET") and label != "done GET":
            mean = cpu[label]["mean_ms"]
            targets.append(
                {
                    "target": f"{label} server CPU <= 2 x landing GET's (mean, all levels)",
                    "value": f"{mean / landing:.1f} x ({mean:.1f} ms vs {landing:.1f} ms)",
                    "met": mean <= 2 * landing,
                }
            )
    # Latency against the floor is taken without queueing, at the lowest concurrency (1): higher
    # up, a cheap request mostly waits for a worker that is busy hashing someone's password.
    single = min(results["levels"], key=lambda row: row["concurrency"])
    bare = single["bare"]["p50_ms"]
    for label in NON_FINAL:
        p50 = single["requests"][label]["p50_ms"]
        if label == "account POST":
            # The one hash has to happen here (the password may not wait in the session), so this
            # request cannot come near the floor; p50 less one hash timed alone is only a hint of the rest.
            alone = results["hashing_limit"]["ms_per_hash_alone"]
            targets.append(
                {
                    "target": f"{label} p50 <= 3 x bare view p50 (c={single['concurrency']})",
                    "value": f"{p50:.0f} ms, of which one hash ({alone:.0f} ms alone); rest about "
                    f"{(p50 - alone) / bare:.1f} x {bare:.1f} ms",
                    "met": None,
                }
            )
            continue
        targets.append(
            {
                "target": f"{label} p50 <= 3 x bare view p50 (c={single['concurrency']})",
                "value": f"{p50 / bare:.1f} x ({p50:.1f} ms vs {bare:.1f} ms)",
                "met": p50 <= 3 * bare,
            }
        )
    for engine, limit in (("db", 2), ("redis", 0)):
        rows = results["counts"].get(engine)
        if rows:
            worst = max((row for row in rows if row["request"] in NON_FINAL), key=lambda row: row["queries"])
            targets.append(
                {
                    "target": f"queries per non-final step <= {limit} ({engine} sessions, uniqueness checks aside)",
                    "value": f"{worst['queries']} at most ({worst['request']})",
                    "met": worst["queries"] <= limit,
                }
            )
    for engine, rows in results["counts"].items():
        final = next(row for row in rows if row["request"] == "Create account")
        targets.append(
            {
                "target": f'queries for "Create account" <= 12 ({engine} sessions)',
                "value": str(final["queries"]),
                "met": final["queries"] <= 12,
            }
        )
        largest = max(row["session_bytes"] for row in rows)
        targets.append(
            {
                "target": f"session data <= 1 KB at its largest ({engine} sessions)",
                "value": f"{largest} bytes",
                "met": largest <= 1024,
            }
        )
        hashes = {row["request"]: row["password_hashes"] for row in rows if row["password_hashes"]}
        targets.append(
            {
                "target": f"one password hash per typed password ({engine} sessions)",
                "value": ", ".join(f"{n} in {label}" for label, n in hashes.items()) or "none",
                "met": hashes == {"account POST": 1},
            }
        )
    failed = sum(row["failed"] for row in results["levels"])
    targets.append({"target": "every signup completed", "value": f"{failed} failed", "met": failed == 0})
    return targets


def table(headers, rows):
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    lines = [headers, ["-" * width for width in widths], *rows]
    return "\n".join(
        "| " + " | ".join(str(cell).ljust(width) for cell, width in zip(line, widths)) + " |" for line in lines
    )


def noise_warning(results):
    rates = results["hashing_limit"]["measurements"]
    spread = max(rates) / min(rates) - 1
    load = results["stack"]["load_average_at_start"]
    if spread <= 0.15 and load <= 1:
        return []
    return [
        f"WARNING: the machine was not quiet (load average {load:.1f} at the start; the hashing limit moved by "
        f"{100 * spread:.0f}% during the run): something else used the CPU, so timings and ratios are unsteady."
    ]


def report(results):
    stack = results["stack"]
    hashing = results["hashing_limit"]
    out = [
        f"{stack['cores']}-core machine, gunicorn {stack['workers']} sync workers, {stack['database']}, "
        f"{stack['sessions']} sessions, {stack['hasher']}",
        f"Hashing limit: {hashing['hashes_per_second']:.2f} hashes/s, median of "
        f"{', '.join(f'{rate:.2f}' for rate in hashing['measurements'])} "
        f"(one process per core). One hash alone: {hashing['ms_per_hash_alone']:.0f} ms, "
        f"{hashing['cpu_ms_per_hash']:.0f} ms of CPU over Argon2's threads.",
        *noise_warning(results),
        "",
        table(
            [
                "concurrency",
                "signups",
                "signups/s",
                "hashing limit",
                "x limit",
                "failed",
                "server CPU/signup",
                "besides Argon2",
                "client CPU",
                "bare p50",
            ],
            [
                [
                    row["concurrency"],
                    row["completed"],
                    f"{row['signups_per_second']:.2f}",
                    f"{row['hashing_limit']:.2f}",
                    f"{row['ratio_to_hashing_limit']:.2f}",
                    row["failed"],
                    f"{row['server_cpu_ms_per_signup']:.0f} ms",
                    f"{row['server_cpu_ms_per_signup_besides_hash']:.0f} ms",
                    f"{100 * row['load_generator_cpu_share']:.0f}%",
                    f"{row['bare']['p50_ms']:.1f} ms",
                ]
                for row in results["levels"]
            ],
        ),
        "server CPU/signup: CPU time gunicorn's workers used per signup (Argon2 hashes on several threads);",
        "besides Argon2: the same from the workers' own meter per request, less the time in Argon2.",
        "",
        "Latency p50 / p95 in ms (p50 as a multiple of the bare view's p50 at the same concurrency):",
        table(
            ["request", *(f"c={row['concurrency']}" for row in results["levels"])],
            [
                [
                    label,
                    *(
                        f"{r['p50_ms']:.0f} / {r['p95_ms']:.0f} ({r['p50_vs_bare_p50']:.1f}x)"
                        for r in (row["requests"][label] for row in results["levels"])
                    ),
                ]
                for label in results["labels"]
            ],
        ),
    ]
    cpu = results["cpu"]
    landing = cpu["landing GET"]["mean_ms"]
    kinds = ["bare view", "landing GET", *results["labels"]]
    per_signup = sum(cpu[label]["mean_ms"] for label in results["labels"] if label in cpu)
    out += [
        "",
        "Server CPU per request besides Argon2, in ms (every level; landing GET and the bare view without cookies):",
        table(
            ["request", "requests", "mean", "p50", "x landing GET", "Argon2"],
            [
                [
                    label,
                    cpu[label]["count"],
                    f"{cpu[label]['mean_ms']:.1f}",
                    f"{cpu[label]['p50_ms']:.1f}",
                    f"{cpu[label]['mean_ms'] / landing:.1f}x",
                    f"{cpu[label]['hash_ms']:.0f}" if cpu[label]["hash_ms"] else "",
                ]
                for label in kinds
                if label in cpu
            ],
        ),
        f"One signup besides Argon2: {per_signup:.0f} ms (the means of its requests added up).",
    ]
    for engine, rows in results["counts"].items():
        out += [
            "",
            f"Per request, {engine} sessions (Django test client, one signup):",
            table(
                ["request", "queries", "+ uniqueness checks", "+ BEGIN/COMMIT", "session bytes", "password hashes"],
                [
                    [
                        row["request"],
                        row["queries"],
                        row["uniqueness_checks"],
                        row["transaction_control"],
                        row["session_bytes"],
                        row["password_hashes"],
                    ]
                    for row in rows
                ],
            ),
        ]
    if "passkeys" in results:
        out += passkeys.report_lines(results["passkeys"], table)
    out += [
        "",
        "Targets (issues 7, 20 and 21):",
        table(
            ["target", "measured", "met"],
            [[t["target"], t["value"], {True: "yes", False: "NO", None: "n/a"}[t["met"]]] for t in results["targets"]],
        ),
    ]
    return "\n".join(out)


# Main ----------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--concurrency", default="1,2,4,8", help="comma-separated levels")
    parser.add_argument("--signup-seconds", type=float, default=25, help="signups start this long per level")
    parser.add_argument("--max-signups", type=int, default=1000, help="at most this many signups per level")
    parser.add_argument("--bare-seconds", type=float, default=4, help="bare-view requests this long per level")
    parser.add_argument("--max-bare", type=int, default=20000, help="at most this many bare-view requests per level")
    parser.add_argument("--landing-seconds", type=float, default=3, help="landing-page requests this long per level")
    parser.add_argument("--passkey-seconds", type=float, default=10, help="passkey signups start this long per level")
    parser.add_argument("--hash-seconds", type=float, default=4, help="each hashing-limit measurement")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)), help="gunicorn sync workers")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results.json"))
    args = parser.parse_args()
    levels = [int(value) for value in args.concurrency.split(",")]
    cores = len(os.sched_getaffinity(0))
    prefix = f"b{secrets.token_hex(3)}"
    load_at_start = os.getloadavg()[0]

    with tempfile.TemporaryDirectory(prefix="signup-bench-") as tmp, throwaway_database(tmp) as (database, url):
        cpu_dir = Path(tmp) / "cpu"
        cpu_dir.mkdir()
        env = stack_environment(url, key_prefix=prefix, static_root=Path(tmp) / "static", cpu_dir=cpu_dir)
        os.environ.update(env)
        import django

        django.setup()
        logging.getLogger("onboarding").setLevel(logging.WARNING)  # one line per signup otherwise
        from django.conf import settings
        from django.db import connections

        from bench.counts import count_in_test_database, redis_configured
        from bench.signup import LABELS

        print(f"Migrating the {database} database for this run, collecting static files...", flush=True)
        for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
            subprocess.run([sys.executable, "manage.py", *command, "-v0"], env=env, cwd=ROOT, check=True)
        try:
            print("Counting queries, session bytes and hashes...", flush=True)
            counts = count_in_test_database()
            connections.close_all()  # the hashing processes are forked from this one
            print("One hash on its own...", flush=True)
            rate_alone, hash_cpu = hash_for(args.hash_seconds)
            results_levels = []
            rates = []
            with gunicorn(env, args.workers, Path(tmp) / "gunicorn.log") as (base_url, server_pid):
                from bench.load import signups

                # Warm-up, not counted: every worker loads its templates and connections.
                asyncio.run(
                    signups(base_url, concurrency=cores, seconds=2, max_signups=4 * cores, prefix=f"{prefix}w")
                )
                after_warm_up = cpu_meter_mark(cpu_dir)
                for concurrency in levels:
                    # Measured around every level, with the server idle, so that each level's
                    # ratio is to the limit of the same minutes on a machine others share.
                    print(f"Hashing limit, {cores} processes...", flush=True)
                    rates.append(hashing_limit(cores, args.hash_seconds))
                    print(f"Concurrency {concurrency}...", flush=True)
                    results_levels.append(level(base_url, server_pid, concurrency, args, prefix, cores, cpu_dir))
                print(f"Hashing limit, {cores} processes...", flush=True)
                rates.append(hashing_limit(cores, args.hash_seconds))
                passkey_levels = passkeys.measure(  # after the password signups: their CPU meter stays theirs
                    base_url, origin=env["SITE_URL"], levels=levels, seconds=args.passkey_seconds,
                    max_signups=args.max_signups, prefix=prefix,
                )  # fmt: skip
            cpu = cpu_by_label(cpu_records(cpu_dir, since=after_warm_up))
            if any(row["failed"] for row in results_levels):
                log_tail = (Path(tmp) / "gunicorn.log").read_text().splitlines()[-30:]
                print("Some signups failed; the server's log ends:", *log_tail, sep="\n")
        finally:
            if redis_configured():
                remove_redis_keys(prefix)
            connections.close_all()

    for index, row in enumerate(results_levels):
        row["hashing_limit"] = (rates[index] + rates[index + 1]) / 2
        row["ratio_to_hashing_limit"] = row["signups_per_second"] / row["hashing_limit"]
        # The limit assumes every core hashing; the load generator, which no real server has beside
        # it, took this share of the cores.
        row["ratio_to_hashing_limit_less_load_generator"] = row["ratio_to_hashing_limit"] / (
            1 - row["load_generator_cpu_share"]
        )
    limit = statistics.median(rates)
    results = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "stack": {
            "cores": cores,
            "python": platform.python_version(),
            "workers": args.workers,
            "database": database,
            "sessions": "redis" if redis_configured() else "db",
            "hasher": settings.PASSWORD_HASHERS[0].rsplit(".", 1)[-1],
            "load_average_at_start": load_at_start,
            "load_average_at_end": os.getloadavg()[0],
        },
        "settings": vars(args),
        "hashing_limit": {
            "hashes_per_second": limit,
            "ms_per_hash_alone": 1000 / rate_alone,
            "cpu_ms_per_hash": 1000 * hash_cpu,
            "measurements": rates,
        },
        "labels": LABELS,
        "levels": results_levels,
        # Every level's requests together.
        "cpu": cpu,
        "counts": counts,
    }
    results["targets"] = evaluate(results)
    results["passkeys"], passkey_targets = passkeys.compare(results_levels, passkey_levels, cpu, LABELS)
    results["targets"] += passkey_targets
    Path(args.output).write_text(json.dumps(results, indent=2) + "\n")
    print()
    print(report(results))
    print(f"\nWritten to {args.output}")


if __name__ == "__main__":
    main()
