"""The client's address behind TRUSTED_PROXY_COUNT reverse proxies (common/client_address.py).

Unit tests of the one function, then gunicorn itself on the test database, sent failed logins
with real X-Forwarded-For headers over http.client: the address django-axes records, and that
lockouts and the per-client limit hold per client behind the same proxy.

Each gunicorn test speaks from random addresses (loopback ones, 127.x.y.z, when no proxy is
counted): the server counts failures in the shared cache (Redis in CI), which outlives a run.
"""

import http.client
import ipaddress
import os
import random
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from common.client_address import client_address
from tests.candidates.helpers import free_port
from tests.celery_workers import database_url_of_the_test_database
from tests.factories import UserFactory

PROJECT = Path(__file__).resolve().parents[2]
PASSWORD = "une phrase de passe solide"


def request_from(remote_addr, forwarded_for=None):
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().post("/compte/connexion/", **headers)


# The function --------------------------------------------------------------------------------

def test_without_proxies_the_address_is_the_connections_own(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request_from("203.0.113.7", forwarded_for="6.6.6.6")) == "203.0.113.7"


def test_behind_one_proxy_the_address_is_the_one_it_appended(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request_from("10.0.0.1", forwarded_for="203.0.113.7")) == "203.0.113.7"


def test_behind_two_proxies_the_address_is_the_one_the_outer_proxy_appended(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request_from("10.0.0.2", forwarded_for="203.0.113.7, 10.0.0.1")) == "203.0.113.7"


@pytest.mark.parametrize(("proxies", "forwarded_for"), [
    (1, "6.6.6.6, 203.0.113.7"),
    (1, "6.6.6.6,7.7.7.7,  203.0.113.7"),
    (1, "not an address, 203.0.113.7"),
    (2, "6.6.6.6, 203.0.113.7, 10.0.0.1"),
    (2, "6.6.6.6, 7.7.7.7, 203.0.113.7, 10.0.0.1"),
])
def test_entries_the_client_wrote_itself_are_ignored(settings, proxies, forwarded_for):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_address(request_from("10.0.0.2", forwarded_for=forwarded_for)) == "203.0.113.7"


@pytest.mark.parametrize(("proxies", "forwarded_for"), [(1, None), (1, ""), (1, "  "), (2, "6.6.6.6"), (3, "6.6.6.6, 10.0.0.1")])
def test_a_request_that_bypassed_a_proxy_counts_as_its_connections_address(settings, proxies, forwarded_for):
    """Too few entries: the request did not come through every proxy (a health check from
    inside, or someone who found the port), so its own entries may all be its own claims."""
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_address(request_from("192.0.2.50", forwarded_for=forwarded_for)) == "192.0.2.50"


@pytest.mark.parametrize("garbage", ["unknown", "", "999.1.1.1", "fe80::1%eth0", "<script>", "1.2.3.4 5.6.7.8",
                                     "203.0.113.7:", "203.0.113.7:port", "203.0.113.7:123456", "[203.0.113.7]:4711",
                                     "[fe80::1%eth0]:4711", "[2001:db8::7", "2001:db8::7]:4711", "[]:4711"])
def test_an_entry_that_is_not_an_address_counts_as_the_connections_address(settings, garbage):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request_from("192.0.2.50", forwarded_for=f"6.6.6.6, {garbage}")) == "192.0.2.50"


def test_with_no_address_at_all_every_such_request_shares_one_bucket_never_none(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request_from("")) == "0.0.0.0"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request_from("garbage", forwarded_for="unknown")) == "0.0.0.0"


@pytest.mark.parametrize(("written", "address"), [
    (" 2001:DB8:0:0:1:2:3:4 ", "2001:db8::"),
    ("::ffff:203.0.113.7", "203.0.113.7"),
])
def test_one_client_has_one_spelling(settings, written, address):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request_from("10.0.0.1", forwarded_for=written)) == address


@pytest.mark.parametrize(("written", "address"), [
    ("203.0.113.7:4711", "203.0.113.7"),
    ("[2001:db8:1:2::7]:4711", "2001:db8:1:2::"),
    ("[2001:db8:1:2::7]", "2001:db8:1:2::"),
    ("[::ffff:203.0.113.7]:80", "203.0.113.7"),
])
def test_an_entry_with_a_port_is_its_address(settings, written, address):
    """Some load balancers write ip:port or [v6]:port: read as garbage, every client behind
    them would share the proxy's own bucket."""
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request_from("10.0.0.1", forwarded_for=f"6.6.6.6, {written}")) == address


@pytest.mark.parametrize("proxies", [0, 1])
def test_an_ipv6_client_is_its_64(settings, proxies):
    """One line or one host holds a whole /64: every address in it is one client, whose name
    is the network's first address (a valid address for django-axes and PostgreSQL's inet)."""
    settings.TRUSTED_PROXY_COUNT = proxies
    hosts = ["2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2:a:b:c:d"]
    assert {client_address(request_from(host, forwarded_for=host)) for host in hosts} == {"2001:db8:1:2::"}
    assert client_address(request_from("2001:db8:1:3::1", forwarded_for="2001:db8:1:3::1")) == "2001:db8:1:3::"


def test_the_ipv6_network_is_the_one_the_rate_limits_count(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.RATELIMIT_IPV6_MASK = 56
    assert client_address(request_from("2001:db8:1:2ff::1")) == "2001:db8:1:200::"


def test_axes_and_the_rate_limits_read_the_same_address(settings):
    from axes.helpers import get_client_ip_address
    from django_ratelimit.core import _get_ip

    settings.TRUSTED_PROXY_COUNT = 2
    request = request_from("10.0.0.2", forwarded_for="6.6.6.6, 203.0.113.7, 10.0.0.1")
    assert get_client_ip_address(request) == _get_ip(request) == "203.0.113.7"
    request = request_from("10.0.0.2", forwarded_for="6.6.6.6, [2001:db8:1:2::7]:4711, 10.0.0.1")
    assert get_client_ip_address(request) == _get_ip(request) == "2001:db8:1:2::"


# Issue 13's probe: django-axes locked one IPv6 address, not its /64 (closed here: the client
# address of an IPv6 host is its /64, for django-axes as for the rate limits).
@pytest.mark.django_db
def test_addresses_of_one_ipv6_64_share_one_lockout(client, settings):
    """django-ratelimit counts IPv6 by /64 but django-axes by the full address: one /64 (any
    host) tries 5 passwords per address on one account instead of 5 in all."""
    settings.TRUSTED_PROXY_COUNT = 0
    account = UserFactory(email="cible@exemple.fr", password=PASSWORD)
    for host in range(1, 6):
        client.post(reverse("candidates:login"), {"username": account.email, "password": f"essai-{host}"},
                    REMOTE_ADDR=f"2001:db8:1:2::{host:x}")
    response = client.post(reverse("candidates:login"), {"username": account.email, "password": PASSWORD},
                           REMOTE_ADDR="2001:db8:1:2::99")
    assert response.status_code == 429


# Through gunicorn ----------------------------------------------------------------------------

@pytest.fixture
def start_gunicorn(tmp_path):
    """`start_gunicorn(proxies, **env)`: gunicorn (one worker) on the test database; its port."""
    servers = []

    def start(proxies, **extra_env):
        port = free_port()
        env = {**os.environ, "DATABASE_URL": database_url_of_the_test_database(), "ENV_FILE": "", "DEBUG": "true",
               "TRUSTED_PROXY_COUNT": str(proxies), **extra_env}
        log = open(tmp_path / f"gunicorn-{port}.log", "w")
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "portal.wsgi:application", "-b", f"127.0.0.1:{port}",
                                   "-w", "1", "--timeout", "60", "--no-control-socket"],  # tests run side by side
                                  cwd=PROJECT, env=env, stdout=log, stderr=log)
        servers.append((server, log))
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return port
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("gunicorn did not start:\n" + (tmp_path / f"gunicorn-{port}.log").read_text())
                time.sleep(0.2)

    yield start
    for server, log in servers:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def random_address(network="198.18.0.0/15"):
    """198.18.0.0/15 is set aside for tests (RFC 2544): no real client has one."""
    network = ipaddress.ip_network(network)
    return str(network[random.randint(2, network.num_addresses - 2)])


class Client:
    """One client behind `proxies` trusted proxies, as gunicorn receives it: its address is the
    entry the outermost proxy appended; to its left, what it wrote in its own header (`claims`)."""

    def __init__(self, port, proxies, address, claims="6.6.6.6"):
        self.port, self.proxies, self.address = port, proxies, address
        if proxies == 0:  # no proxy: the connection itself comes from the address (127.x.y.z)
            self.source, entries = (address, 0), [claims]
        else:
            inner_proxies = [f"10.0.0.{n}" for n in range(1, proxies)]
            self.source, entries = None, [claims, address, *inner_proxies]
        self.forwarded_for = ", ".join(entry for entry in entries if entry)
        self.cookie, self.csrf = self._csrf_token()

    def _send(self, method, body=None, cookie=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60, source_address=self.source)
        headers = {"X-Forwarded-For": self.forwarded_for} if self.forwarded_for else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if cookie:
            headers["Cookie"] = cookie
        connection.request(method, "/compte/connexion/", body=body, headers=headers)
        response = connection.getresponse()
        page = response.read().decode()
        connection.close()
        return response, page

    def _csrf_token(self):
        response, page = self._send("GET")
        assert response.status == 200, page
        cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie")).group(0)
        return cookie, re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def log_in(self, email, password):
        """The status: 302 logged in, 200 refused, 429 blocked."""
        body = urlencode({"csrfmiddlewaretoken": self.csrf, "username": email, "password": password})
        response, page = self._send("POST", body=body, cookie=self.cookie)
        self.last_page = page
        return response.status


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("proxies", "claims"), [(0, "6.6.6.6"), (1, ""), (1, "6.6.6.6"), (2, ""), (2, "6.6.6.6, 7.7.7.7")])
def test_behind_0_1_or_2_proxies_axes_records_the_address_the_outer_proxy_saw(start_gunicorn, proxies, claims):
    """`claims`: what the client wrote in its own X-Forwarded-For ("": a normal request)."""
    UserFactory(email="camille.martin@exemple.fr", password=PASSWORD)
    port = start_gunicorn(proxies)
    network = "127.0.0.0/8" if proxies == 0 else "198.18.0.0/15"
    client_a = Client(port, proxies, random_address(network), claims=claims)
    client_b = Client(port, proxies, random_address(network), claims=claims)
    assert client_a.address != client_b.address

    for _ in range(4):
        assert client_a.log_in("camille.martin@exemple.fr", "faux") == 200
    assert client_a.log_in("camille.martin@exemple.fr", "faux") == 429  # the 5th locks
    assert list(AccessAttempt.objects.values_list("ip_address", "failures_since_start")) == [(client_a.address, 5)]

    assert client_a.log_in("camille.martin@exemple.fr", PASSWORD) == 429
    assert "Après 5 essais de mot de passe incorrects" in client_a.last_page
    assert client_b.log_in("camille.martin@exemple.fr", PASSWORD) == 302  # the same proxy, another client


@pytest.mark.django_db(transaction=True)
def test_one_address_cannot_try_passwords_on_every_account(start_gunicorn):
    """2 passwords on each of 4 accounts (each under django-axes' 5) reach a limit of 8 per client:
    the next login from that address is refused even with the right password; another client
    behind the same proxy logs in, and a client under the limit still logs in."""
    accounts = [UserFactory(email=f"candidat{n}@exemple.fr", password=PASSWORD).email for n in range(5)]
    port = start_gunicorn(1, LOGIN_FAILURES_PER_CLIENT_PER_HOUR="8")
    attacker, neighbour, mistyper = (Client(port, 1, random_address()) for _ in range(3))

    for email in accounts[:4]:
        for guess in ("123456", "azerty"):
            assert attacker.log_in(email, guess) == 200
    assert attacker.log_in(accounts[4], PASSWORD) == 429
    assert "depuis votre réseau, sur un ou plusieurs comptes" in attacker.last_page
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {attacker.address}

    assert neighbour.log_in(accounts[4], PASSWORD) == 302
    for email in accounts[:4]:
        assert mistyper.log_in(email, "faux") == 200
    for email in accounts[:3]:
        assert mistyper.log_in(email, "faux encore") == 200
    assert mistyper.log_in(accounts[0], PASSWORD) == 302  # 7 failures: under the limit of 8
