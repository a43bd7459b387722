"""Real app server processes for tests and `make bench`: start, wait for health, talk to them like a browser, stop."""

import http.client
import http.cookiejar
import ipaddress
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from django_ratelimit.core import _get_window

REPO = Path(__file__).resolve().parent.parent
TIMEOUT = 10  # seconds for any one HTTP request


def free_port():
    """A loopback port nobody listens on (the OS picks it; closed again at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def client_address(period_seconds, *, spare_seconds=300):
    """A fresh documentation-range address whose rate-limit window does not end during the test.

    IPv6, from 2001:db8::/32 with a random /64 (what django-ratelimit counts by), so that no two tests
    and no two runs within the hour share a counter, even in a Redis that outlives the run.
    """
    while True:
        network = int(ipaddress.ip_address("2001:db8::")) | random.getrandbits(32) << 64
        # django-ratelimit's windows end at a per-/64 offset; one ending mid-test would reset the count.
        if _get_window(str(ipaddress.ip_address(network)), period_seconds) - time.time() > spare_seconds:
            return str(ipaddress.ip_address(network + 1))


@contextmanager
def running(args, *, env, log_path):
    """Run a server command in its own process group; stop the whole group (gunicorn master and workers) after."""
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            args, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield process
        finally:
            stop_group(process)


def stop_group(process):
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        process.poll()
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=5)


def log_tail(log_path, lines=40):
    return "\n".join(Path(log_path).read_text(errors="replace").splitlines()[-lines:])


def wait_until_healthy(base_url, process, log_path, *, seconds=90, path="/healthz"):
    """Poll `path` until it answers 200; fail early with the server's log if the process dies."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}:\n{log_tail(log_path)}")
        try:
            with urllib.request.urlopen(f"{base_url}{path}", timeout=2) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.25)
    raise AssertionError(f"{base_url}{path} did not answer 200 within {seconds}s:\n{log_tail(log_path)}")


@dataclass
class Response:
    status: int
    headers: object
    body: bytes

    @property
    def text(self):
        return self.body.decode()

    def hidden(self, name):
        """The value of a hidden input on the page, as a browser would send it back."""
        return re.search(rf'name="{name}" value="([^"]*)"', self.text).group(1)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class _FromAddress(urllib.request.HTTPHandler):
    """Connect from a chosen loopback source address (any of 127/8), so one machine plays many clients."""

    def __init__(self, source):
        super().__init__()
        self.source = source

    def http_open(self, request):
        return self.do_open(partial(http.client.HTTPConnection, source_address=(self.source, 0)), request)


class Browser:
    """Cookies and CSRF tokens like a browser, but never follows redirects: the test picks the server of each request.

    Cookies are per host, not per port, so both servers on 127.0.0.1 get the same session cookie. `source`
    (like "127.0.0.7") is the address the server sees the browser connect from.
    """

    def __init__(self, *, forwarded_for=None, source=None):
        self.cookies = http.cookiejar.CookieJar()
        handlers = [urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects]
        if source:
            handlers.append(_FromAddress(source))
        self.opener = urllib.request.build_opener(*handlers)
        self.headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}

    def request(self, url, data=None, headers=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers={**self.headers, **(headers or {})})
        try:
            with self.opener.open(request, timeout=TIMEOUT) as response:
                return Response(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx and 5xx
            with error:
                return Response(error.code, error.headers, error.read())

    def get(self, url, headers=None):
        return self.request(url, headers=headers)

    def post(self, url, page, data):
        """Submit a form from `page` (a Response), with its CSRF token and wizard id."""
        tokens = {"csrfmiddlewaretoken": page.hidden("csrfmiddlewaretoken"), "wizard_id": page.hidden("wizard_id")}
        return self.request(url, {**tokens, **data})


def production_env(tmp_path, **overrides):
    """`make serve`'s environment on a fresh SQLite file in tmp_path, without Redis; overrides on top."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SIGNUP_", "LOGIN_", "GUNICORN_"))},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "SITE_URL": "http://127.0.0.1",
        "WEB_CONCURRENCY": "2",
        **overrides,
    }
    env.pop("REDIS_URL", None)
    return env


def manage(env, *args):
    """Run a manage.py command with the server's environment; its output (failing the test if it fails)."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@contextmanager
def gunicorn_server(tmp_path, env):
    """Migrate, collect static files and run gunicorn with config/gunicorn.conf.py; yields (base_url, log path)."""
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    port = free_port()
    log = tmp_path / "server.log"
    command = [sys.executable, "-m", "gunicorn", "--config", "config/gunicorn.conf.py", "config.wsgi"]
    with running(command, env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}, log_path=log) as process:
        base_url = f"http://127.0.0.1:{port}"
        wait_until_healthy(base_url, process, log)
        yield base_url, log
