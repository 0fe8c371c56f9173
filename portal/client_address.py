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

Imports no app: every app may use it.
"""

import ipaddress

from django.conf import settings

# No usable address at all (REMOTE_ADDR empty, as over a Unix socket with no proxy counted):
# one shared bucket rather than None, which django-axes would share too and django-ratelimit rejects.
UNKNOWN_ADDRESS = "0.0.0.0"


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
    """The address in its canonical spelling (one bucket per client), or None when `text` is not one."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if getattr(address, "scope_id", None):  # fe80::1%eth0: PostgreSQL's inet refuses it
        return None
    if getattr(address, "ipv4_mapped", None):  # ::ffff:192.0.2.1 is the IPv4 client 192.0.2.1
        address = address.ipv4_mapped
    return str(address)
