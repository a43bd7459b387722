"""One rate limit for the whole site, whatever the number of gunicorn workers, without Redis (findings 1 and 5).

gunicorn with several sync workers on a SQLite file, as `make serve` runs without REDIS_URL: N + 1 POSTs sent
at once over a limit of N get exactly one refusal, for the wizard, for login per client address, and for
login per username across /login/ and /admin/login/.
"""

import re
import secrets
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import step_data
from tests.servers import Browser, client_address, gunicorn_server, log_tail, production_env

LIMIT = 4  # POSTs per hour
WORKERS = 3


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("shared-limits")
    env = production_env(
        tmp_path,
        DJANGO_CLIENT_IP_HEADER="X-Forwarded-For",
        DJANGO_TRUSTED_PROXIES="127.0.0.1",
        SIGNUP_RATE_LIMIT=f"{LIMIT}/h",
        LOGIN_RATE_LIMIT=f"{LIMIT}/h",
        LOGIN_USERNAME_RATE_LIMIT=f"{LIMIT}/h",
        WEB_CONCURRENCY=str(WORKERS),
        # The limit alone: near it, SIGNUP_CHALLENGE=auto would ask for the proof-of-work (tests/test_challenge.py).
        SIGNUP_CHALLENGE="off",
    )
    with gunicorn_server(tmp_path, env) as (base_url, log):
        yield base_url, log


def at_once(requests):
    """Send the requests all together, one thread each; the statuses, sorted."""
    with ThreadPoolExecutor(len(requests)) as pool:
        return sorted(pool.map(lambda send: send().status, requests))


def login_post(base_url, path, username, address):
    """A login attempt with a wrong password from its own browser at `address`, made ready before the race."""
    browser = Browser(forwarded_for=address)
    page = browser.get(f"{base_url}{path}")
    assert page.status == 200, page.text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    data = {"csrfmiddlewaretoken": token, "username": username, "password": "not the password at all"}
    return lambda: browser.request(f"{base_url}{path}", data)


def test_the_wizard_limit_is_one_count_across_workers(server):
    base_url, log = server
    address = client_address(3600)
    person = Browser(forwarded_for=address)
    page = person.get(f"{base_url}/signup/account/")
    posts = [lambda: person.post(f"{base_url}/signup/account/", page, step_data("account"))] * (LIMIT + 1)
    assert at_once(posts) == [200] * LIMIT + [429], log_tail(log)


def test_login_is_limited_per_client_address_across_workers(server):
    base_url, log = server
    address = client_address(3600)
    posts = [login_post(base_url, "/login/", f"guess{number}", address) for number in range(LIMIT + 1)]
    assert at_once(posts) == [200] * LIMIT + [429], log_tail(log)


def test_admin_login_is_limited_per_client_address_across_workers(server):
    base_url, log = server
    address = client_address(3600)
    posts = [login_post(base_url, "/admin/login/", f"guess{number}", address) for number in range(LIMIT + 1)]
    assert at_once(posts) == [200] * LIMIT + [429], log_tail(log)


def test_login_is_limited_per_username_across_addresses_and_both_login_pages(server):
    base_url, log = server
    username = f"victim{secrets.token_hex(4)}"
    # Each from its own address; the username in different cases and widths still counts as one.
    spellings = [username, username.upper(), username, "ｖ" + username[1:], username]
    paths = ["/login/", "/admin/login/"] * LIMIT
    posts = [login_post(base_url, paths[n], spellings[n], client_address(3600)) for n in range(LIMIT + 1)]
    statuses = at_once(posts)
    assert statuses == [200] * LIMIT + [429], log_tail(log)
    refused = login_post(base_url, "/login/", username, client_address(3600))()
    assert refused.status == 429
    assert "We received a lot of login attempts for this username from many places" in refused.text
