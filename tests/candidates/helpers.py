import re
import socket

from django.core import mail
from django.core.mail.message import sanitize_address
from django.test import Client


def link_in_last_email(to=None):
    messages = [m for m in mail.outbox if to is None or to in m.to]
    assert messages, "no email was sent"
    return re.search(r"https?://\S+", messages[-1].body).group(0)


def path_of(url):
    return re.sub(r"^https?://[^/]+", "", url)


def free_port():
    """A TCP port nobody listens on now, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def from_address(ip):
    """A test client whose requests come from the client address `ip`."""
    return Client(REMOTE_ADDR=ip)


def delivered_to(message):
    """The mailboxes an SMTP server is given for this email: Django's SMTP backend sends
    RCPT TO and To: through sanitize_address, which IDNA-encodes the domain."""
    return [sanitize_address(address, message.encoding or "utf-8").lower() for address in message.recipients()]
