"""Signups with a passkey in the benchmark: the same wizard, "Use a passkey instead of a password" on the account
step, and a software authenticator (tests/soft_authenticator.py) answering the ceremony as a browser does.

No Argon2 on this path: the account step checks a signature instead of hashing a password. `make bench` runs
these after the password signups, at the same concurrency levels, and prints both rates side by side.
"""

import asyncio
import json
import time
from collections import defaultdict

import httpx

from bench.load import new_client, run_flow
from bench.signup import Request, SignupFailed, answers, form_fields
from tests.soft_authenticator import SoftAuthenticator

# Every request of one passkey signup, by label; "passkey:" keeps them apart from the password signups' labels
# in the CPU meter's records.
LABELS = (
    "passkey: GET /signup/",
    "passkey: account GET",
    "passkey: switch POST",
    "passkey: account GET again",
    "passkey: options POST",
    "passkey: account POST",
    "passkey: profile GET",
    "passkey: profile POST",
    "passkey: confirm GET",
    "passkey: Create account",
    "passkey: done GET",
)
# The target of issue 21: a passkey signup needs no Argon2 hash, so the same machine makes this many more.
TARGET_RATIO = 3


def passkey_signup_flow(username, authenticator):
    """Yield each request of one signup with a passkey; send back each response. Raises SignupFailed."""
    typed = answers(username)
    account = {key: value for key, value in typed["account"].items() if "password" not in key}

    def expect(request, response, status):
        if response.status != status:
            raise SignupFailed(f"{request.label}: HTTP {response.status}, expected {status}")
        return response

    request = Request("passkey: GET /signup/", "GET", "/signup/")
    url = expect(request, (yield request), 302).location
    request = Request("passkey: account GET", "GET", url)
    page = expect(request, (yield request), 200).text
    data = {**form_fields(page), **account, "auth_method": "passkey"}
    request = Request("passkey: switch POST", "POST", url, data)
    url = expect(request, (yield request), 302).location
    request = Request("passkey: account GET again", "GET", url)
    fields = form_fields(expect(request, (yield request), 200).text)
    options = {"csrfmiddlewaretoken": fields["csrfmiddlewaretoken"], "username": username}
    request = Request("passkey: options POST", "POST", "/signup/passkey/options/", options)
    created = authenticator.create(json.loads(expect(request, (yield request), 200).text))
    request = Request(
        "passkey: account POST", "POST", url, {**fields, **account, "account-passkey": json.dumps(created)}
    )
    url = expect(request, (yield request), 302).location
    for step in ("profile", "confirm"):
        request = Request(f"passkey: {step} GET", "GET", url)
        data = {**form_fields(expect(request, (yield request), 200).text), **typed[step]}
        label = "passkey: Create account" if step == "confirm" else f"passkey: {step} POST"
        request = Request(label, "POST", url, data)
        url = expect(request, (yield request), 302).location
    request = Request("passkey: done GET", "GET", url)
    if username not in expect(request, (yield request), 200).text:
        raise SignupFailed("passkey: done GET: the page does not show the new username")


async def one_passkey_signup(client, username, latencies, origin):
    """One passkey signup with an empty cookie jar and a new authenticator, timing each request."""
    client.cookies = httpx.Cookies()
    await run_flow(client, passkey_signup_flow(username, SoftAuthenticator(origin)), latencies)


async def passkey_signups(base_url, *, origin, concurrency, seconds, max_signups, prefix):
    """As load.signups, with passkeys: `concurrency` users start signups until `seconds` pass."""
    latencies = defaultdict(list)
    failures = []
    started = completed = 0
    begin = time.perf_counter()
    deadline = begin + seconds

    async def user():
        nonlocal started, completed
        async with new_client(base_url) as client:
            while time.perf_counter() < deadline and started < max_signups:
                started += 1
                try:
                    await one_passkey_signup(client, f"{prefix}{started}", latencies, origin)
                    completed += 1
                except (SignupFailed, httpx.HTTPError, ValueError, KeyError) as error:
                    failures.append(f"{type(error).__name__}: {error}")

    await asyncio.gather(*(user() for _ in range(concurrency)))
    elapsed = time.perf_counter() - begin
    return {"completed": completed, "failed": len(failures), "failures": failures[:5], "seconds": elapsed}


def measure(base_url, *, origin, levels, seconds, max_signups, prefix):
    """Passkey signups at each concurrency level: [{concurrency, completed, failed, signups_per_second}]."""
    rows = []
    for concurrency in levels:
        print(f"Passkey signups, concurrency {concurrency}...", flush=True)
        outcome = asyncio.run(
            passkey_signups(
                base_url,
                origin=origin,
                concurrency=concurrency,
                seconds=seconds,
                max_signups=max_signups,
                prefix=f"{prefix}k{concurrency}n",
            )
        )
        rows.append(
            {"concurrency": concurrency, **outcome, "signups_per_second": outcome["completed"] / outcome["seconds"]}
        )
    return rows


def cpu_per_signup(cpu, labels):
    """Server CPU ms of one signup, Argon2 included, from the workers' meter (run.cpu_by_label) over `labels`."""
    return sum(cpu[label]["mean_ms"] + cpu[label]["hash_ms"] for label in labels if label in cpu)


def compare(password_levels, passkey_levels, cpu, password_labels):
    """Beside each other per level, with the ratio; the server CPU of one signup of each kind (which barely
    moves when other programs share the machine, unlike the rates); and the targets' rows."""
    rows = []
    for password, passkey in zip(password_levels, passkey_levels, strict=True):
        ratio = passkey["signups_per_second"] / max(password["signups_per_second"], 1e-9)
        rows.append({**passkey, "password_signups_per_second": password["signups_per_second"], "ratio": ratio})
    best_password = max(row["signups_per_second"] for row in password_levels)
    best_passkey = max(row["signups_per_second"] for row in passkey_levels)
    failed = sum(row["failed"] for row in passkey_levels)
    password_cpu, passkey_cpu = cpu_per_signup(cpu, password_labels), cpu_per_signup(cpu, LABELS)
    cpu_ratio = password_cpu / max(passkey_cpu, 1e-9)
    targets = [
        {
            "target": f"passkey signups/s >= {TARGET_RATIO} x password signups/s (best level of each)",
            "value": f"{best_passkey:.2f}/s vs {best_password:.2f}/s = {best_passkey / max(best_password, 1e-9):.1f} x"
            f"{f'; {failed} passkey signups failed' if failed else ''}",
            "met": best_passkey >= TARGET_RATIO * best_password and failed == 0,
        },
        {
            "target": f"server CPU per passkey signup <= 1/{TARGET_RATIO} of a password signup's (Argon2 included)",
            "value": f"{passkey_cpu:.0f} ms vs {password_cpu:.0f} ms = 1/{cpu_ratio:.1f}",
            "met": cpu_ratio >= TARGET_RATIO,
        },
    ]
    summary = {"levels": rows, "password_cpu_ms": password_cpu, "passkey_cpu_ms": passkey_cpu, "cpu_ratio": cpu_ratio}
    return summary, targets


def report_lines(summary, table):
    """The table `make bench` prints for them (`table` is run.table)."""
    return [
        "",
        "Signups with a passkey (software authenticator, no Argon2) beside the password signups:",
        table(
            ["concurrency", "password signups/s", "passkey signups", "passkey signups/s", "x password", "failed"],
            [
                [
                    row["concurrency"],
                    f"{row['password_signups_per_second']:.2f}",
                    row["completed"],
                    f"{row['signups_per_second']:.2f}",
                    f"{row['ratio']:.1f}",
                    row["failed"],
                ]
                for row in summary["levels"]
            ],
        ),
        f"Server CPU per signup, Argon2 included: {summary['password_cpu_ms']:.0f} ms with a password, "
        f"{summary['passkey_cpu_ms']:.0f} ms with a passkey ({summary['cpu_ratio']:.1f} x as many passkey signups "
        "per second of CPU; the rates above also carry the load generator and anything else on the machine).",
    ]
