"""Client addresses (second review, finding 9): IPv4-mapped IPv6 is IPv4; the proxy header, from trusted proxies."""

import ipaddress
import os
import random
import subprocess
import sys

import pytest
from django.test import Client, RequestFactory

from onboarding.limits import client_ip
from tests.servers import REPO

pytestmark = pytest.mark.django_db


def test_ipv4_mapped_clients_of_a_dual_stack_bind_are_counted_one_by_one(settings):
    # Before: every ::ffff:a.b.c.d fell in one IPv6 /64, so ten bad logins locked out every IPv4 client.
    settings.LOGIN_RATE_LIMIT = "2/h"
    # Fresh addresses each run (198.18.0.0/15, for tests): with Redis the counters outlive the run.
    first = ipaddress.ip_address("198.18.0.0") + random.randrange(0, 2**17, 2)
    one, other = f"::ffff:{first}", f"::ffff:{first + 1}"
    statuses = []
    for address in (one, one, one, other):
        response = Client(REMOTE_ADDR=address).post("/login/", {"username": address, "password": "x"})
        statuses.append(response.status_code)
    assert statuses == [200, 200, 429, 200]


def test_a_mapped_address_reads_as_ipv4_everywhere(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="::ffff:198.51.100.7")
    assert client_ip(request) == "198.51.100.7"
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8")]
    proxied = RequestFactory().get(
        "/", REMOTE_ADDR="::ffff:10.1.2.3", headers={"X-Forwarded-For": "203.0.113.5, ::ffff:10.9.9.9"}
    )
    # The rightmost hop that is not one of our proxies is the client.
    assert client_ip(proxied) == "203.0.113.5"


def test_the_header_from_an_untrusted_peer_is_ignored(settings):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.1")]
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.50", headers={"X-Forwarded-For": "203.0.113.77"})
    assert client_ip(request) == "192.0.2.50"


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ({"DJANGO_CLIENT_IP_HEADER": "X-Forwarded-For"}, "DJANGO_TRUSTED_PROXIES"),
        ({"DJANGO_TRUSTED_PROXIES": "10.0.0.0/33"}, "DJANGO_TRUSTED_PROXIES"),
    ],
)
def test_a_proxy_header_without_trusted_proxies_stops_the_start(extra, says):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SITE_"))},
        "DJANGO_DEBUG": "1",
        **extra,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and says in result.stderr
