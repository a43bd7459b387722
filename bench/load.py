"""The load generator: virtual users on asyncio + httpx, each bounded in time and count."""

import asyncio
import time
from collections import defaultdict

import httpx

from bench.signup import Response, SignupFailed, signup_flow

# No request may hang the benchmark; gunicorn's own worker timeout is 30 s.
REQUEST_TIMEOUT = 40
# Names the request for the server's CPU meter (bench/gunicorn.conf.py).
LABEL_HEADER = "X-Bench-Label"


def new_client(base_url):
    return httpx.AsyncClient(base_url=base_url, follow_redirects=False, timeout=REQUEST_TIMEOUT, trust_env=False)


async def one_signup(client, username, latencies):
    """Run one signup with an empty cookie jar, timing each request under its label."""
    client.cookies = httpx.Cookies()
    await run_flow(client, signup_flow(username), latencies)


async def run_flow(client, flow, latencies):
    """Send each request a signup flow (bench/signup.py's generators) asks for, as a browser would; time each."""
    request = next(flow)
    while True:
        headers = {LABEL_HEADER: request.label}
        if request.method == "GET":
            send = client.get(request.url, headers=headers)
        else:
            # What a browser adds to a form POST; Django checks Origin against the host.
            headers["Origin"] = str(client.base_url).rstrip("/")
            headers["Referer"] = str(client.base_url.join(request.url))
            send = client.post(request.url, data=request.data, headers=headers)
        start = time.perf_counter()
        response = await send
        latencies[request.label].append(time.perf_counter() - start)
        try:
            request = flow.send(Response(response.status_code, response.headers.get("location", ""), response.text))
        except StopIteration:
            return


async def signups(base_url, *, concurrency, seconds, max_signups, prefix):
    """`concurrency` users each start signups until `seconds` pass or `max_signups` have started in all.

    Signups under way at the deadline finish, so every counted signup is whole;
    the rate is completed signups over the time until the last one finished.
    """
    latencies = defaultdict(list)
    failures = []
    started = 0
    completed = 0
    begin = time.perf_counter()
    deadline = begin + seconds

    async def user():
        nonlocal started, completed
        async with new_client(base_url) as client:
            while time.perf_counter() < deadline and started < max_signups:
                started += 1
                try:
                    await one_signup(client, f"{prefix}{started}", latencies)
                    completed += 1
                except (SignupFailed, httpx.HTTPError) as error:
                    failures.append(f"{type(error).__name__}: {error}")

    await asyncio.gather(*(user() for _ in range(concurrency)))
    elapsed = time.perf_counter() - begin
    return {"completed": completed, "failed": len(failures), "failures": failures[:5], "seconds": elapsed}, latencies


async def bare_requests(base_url, path, *, concurrency, seconds, max_requests, label):
    """`concurrency` users GET `path` back to back until `seconds` pass or `max_requests` were sent.

    Each request comes with no cookies, as a first visit does.
    """
    latencies = []
    failed = 0
    sent = 0
    deadline = time.perf_counter() + seconds

    async def user():
        nonlocal sent, failed
        async with new_client(base_url) as client:
            while time.perf_counter() < deadline and sent < max_requests:
                sent += 1
                client.cookies = httpx.Cookies()
                start = time.perf_counter()
                try:
                    response = await client.get(path, headers={LABEL_HEADER: label})
                except httpx.HTTPError:
                    failed += 1
                    continue
                if response.status_code != 200:
                    failed += 1
                latencies.append(time.perf_counter() - start)

    await asyncio.gather(*(user() for _ in range(concurrency)))
    return latencies, failed
