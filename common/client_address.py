"""The client's address: the one notion of it for the whole portal (django-axes, django-ratelimit).

Each reverse proxy we trust appends to X-Forwarded-For the address it received the request
from. With TRUSTED_PROXY_COUNT = N, the right-most N entries were therefore written by our own
proxies, and entry [-N] is what the outermost of them saw: the client. Entries to its left are
whatever the client sent, and are never read.

When the header cannot tell (fewer than N entries: the request reached gunicorn without going
through every proxy, like a health check from inside; or an entry that is not an address), the
answer is REMOTE_ADDR, the peer of the TCP connection: the one address no client can choose. At
worst such requests share the bucket of that peer; they never pick their own. The left-most
entry would be the client's own claim whenever the request bypassed all the proxies.

An IPv6 client is its /64: one subscriber's line or one host's allocation holds 2**64 addresses,
so a lockout per full address would give one attacker as many tries as they like. The answer is
the network's first address (2001:db8:1:2::), a valid address for django-axes' field and
PostgreSQL's inet. The prefix is django-ratelimit's own setting (RATELIMIT_IPV6_MASK, 64 unless
set), so both count the same network.

Imports no app: every app may use it.
"""

import ipaddress
import re

from django.conf import settings

# No usable address at all (REMOTE_ADDR empty, as over a Unix socket with no proxy counted):
# one shared bucket rather than None, which django-axes would share too and django-ratelimit rejects.
UNKNOWN_ADDRESS = "0.0.0.0"

# What some load balancers write: 203.0.113.7:4711, [2001:db8::7]:4711 (and [2001:db8::7]).
_WITH_PORT = re.compile(r"\[(?P<v6>[^\]]+)\](?::\d{1,5})?|(?P<v4>[0-9.]+):\d{1,5}")


def client_address(request):
    """The address of the client as the outermost trusted proxy saw it (settings.TRUSTED_PROXY_COUNT)."""
    peer = _address_or_none(request.META.get("REMOTE_ADDR", "")) or UNKNOWN_ADDRESS
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return peer
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = header.split(",") if header.strip() else []
    if len(entries) < proxies:
        return peer
    return _address_or_none(entries[-proxies]) or peer


def _address_or_none(text):
    """The client in its canonical spelling (one bucket per client), or None when `text` is not one."""
    text = text.strip()
    with_port = _WITH_PORT.fullmatch(text)
    if with_port:
        text = with_port.group("v6") or with_port.group("v4")
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if with_port and with_port.group("v6") and address.version != 6:  # [203.0.113.7] is no address
        return None
    if getattr(address, "scope_id", None):  # fe80::1%eth0: PostgreSQL's inet refuses it
        return None
    if getattr(address, "ipv4_mapped", None):  # ::ffff:192.0.2.1 is the IPv4 client 192.0.2.1
        address = address.ipv4_mapped
    if address.version == 6:
        prefix = getattr(settings, "RATELIMIT_IPV6_MASK", 64)  # django-ratelimit's own default
        address = ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address
    return str(address)
