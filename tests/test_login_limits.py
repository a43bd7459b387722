"""Login limits that slow guessing without locking owners out, and client addresses (second review, findings 3, 9).

The production stack (gunicorn, DEBUG off), with each client on its own loopback source address (127/8):
the per-(username, client) and per-client limits are strict; the per-username limit is higher and a
browser that has logged in to the account before passes it. DJANGO_CLIENT_IP_HEADER is believed only
from DJANGO_TRUSTED_PROXIES (here 127.0.0.1, the "proxy").
"""

import re
import secrets

import pytest

from tests.conftest import PASSWORD
from tests.servers import Browser, gunicorn_server, log_tail, manage, production_env

LIMIT = 3  # login POSTs per hour per client, and per (username, client)
USERNAME_LIMIT = 8  # per username from anywhere, for browsers it has not logged in from
WRONG = "not the password at all"

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("login-limits")
    env = production_env(
        tmp_path,
        LOGIN_RATE_LIMIT=f"{LIMIT}/h",
        LOGIN_USERNAME_RATE_LIMIT=f"{USERNAME_LIMIT}/h",
        DJANGO_CLIENT_IP_HEADER="X-Forwarded-For",
        DJANGO_TRUSTED_PROXIES="127.0.0.1",
        # The superuser here logs in with a password alone (a second factor is test_two_step_staff.py's).
        SIGNUP_STAFF_REQUIRE_2FA="0",
    )
    with gunicorn_server(tmp_path, env) as (base_url, log):
        yield base_url, log, env


def make_user(env, *, superuser=False):
    username = f"owner{secrets.token_hex(3)}"
    create = "create_superuser" if superuser else "create_user"
    manage(
        env,
        "shell",
        "-c",
        f"from onboarding.models import User; User.objects.{create}({username!r}, {username + '@example.com'!r}, "
        f"{PASSWORD!r})",
    )
    return username


def log_in(browser, base_url, username, password, *, path="/login/", headers=None):
    page = browser.get(f"{base_url}{path}")
    assert page.status == 200, page.text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    data = {"csrfmiddlewaretoken": token, "username": username, "password": password}
    return browser.request(f"{base_url}{path}", data, headers=headers)


def test_wrong_passwords_from_one_address_lock_out_that_address_not_the_owner(server):
    base_url, log, env = server
    owner, boss = make_user(env), make_user(env, superuser=True)
    attacker = Browser(source="127.0.0.2")
    for path in ("/login/", "/admin/login/"):
        for username in (owner, boss):
            statuses = [log_in(attacker, base_url, username, WRONG, path=path).status for _ in range(LIMIT + 1)]
            assert 429 in statuses, log_tail(log)
    # The reviewer's finding: the real owner got 429 from any address, superusers included.
    assert log_in(Browser(source="127.0.0.3"), base_url, owner, PASSWORD).status == 302, log_tail(log)
    superuser = Browser(source="127.0.0.4")
    assert log_in(superuser, base_url, boss, PASSWORD, path="/admin/login/").status == 302, log_tail(log)
    assert superuser.get(f"{base_url}/admin/").status == 200


def test_guesses_from_many_addresses_cannot_lock_out_a_browser_the_owner_used_before(server):
    base_url, log, env = server
    owner = make_user(env)
    laptop = Browser(source="127.0.0.5")
    assert log_in(laptop, base_url, owner, PASSWORD).status == 302
    assert any(cookie.name == "known_device" for cookie in laptop.cookies)
    laptop.cookies.clear(domain="127.0.0.1", path="/", name="sessionid")
    for number in range(USERNAME_LIMIT + 1):
        guess = log_in(Browser(source=f"127.0.1.{number + 1}"), base_url, owner, WRONG)
        # Each guess is answered (and counted): a refused or lost request would leave the limit unreached.
        assert guess.status in (200, 429), (number, guess.status, log_tail(log))

    # A browser the account never logged in from waits, and is told how the owner still gets in.
    stranger = log_in(Browser(source="127.0.0.6"), base_url, owner, PASSWORD)
    assert stranger.status == 429, log_tail(log)
    assert "Log in from a browser you have used for this account before" in stranger.text
    # The owner's own browser logs in (its session had ended: only the signed cookie is left).
    assert log_in(laptop, base_url, owner, PASSWORD).status == 302, log_tail(log)
    assert laptop.get(f"{base_url}/account/").status == 200


def test_a_forged_known_device_cookie_is_worth_nothing(server):
    base_url, log, env = server
    owner = make_user(env)
    for number in range(USERNAME_LIMIT + 1):
        log_in(Browser(source=f"127.0.2.{number + 1}"), base_url, owner, WRONG)
    forger = Browser(source="127.0.0.7")
    page = forger.get(f"{base_url}/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    data = {"csrfmiddlewaretoken": token, "username": owner, "password": PASSWORD}
    forged = {"Cookie": f"known_device={owner}; " + cookies(forger)}
    refused = forger.request(f"{base_url}/login/", data, headers=forged)
    assert refused.status == 429


def cookies(browser):
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in browser.cookies)


def test_the_client_header_is_believed_only_from_a_trusted_proxy(server):
    base_url, log, env = server
    direct = Browser(source="127.0.0.8")
    # A client that reaches gunicorn directly cannot pick a new address for each guess.
    statuses = [
        log_in(direct, base_url, f"guess{n}", WRONG, headers={"X-Forwarded-For": f"203.0.113.{n + 1}"}).status
        for n in range(LIMIT + 1)
    ]
    assert statuses == [200] * LIMIT + [429], log_tail(log)
    assert "ip=127.0.0.8" in log_tail(log, 200)
    # From the proxy, each client it names is counted on its own.
    proxy = Browser(source="127.0.0.1")
    statuses = [
        log_in(proxy, base_url, f"other{n}", WRONG, headers={"X-Forwarded-For": f"198.51.100.{n + 1}"}).status
        for n in range(LIMIT + 1)
    ]
    assert statuses == [200] * (LIMIT + 1), log_tail(log)
