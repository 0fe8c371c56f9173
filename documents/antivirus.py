"""The antivirus: ClamAV's clamd, reached with clamav-client over TCP or a Unix socket.

`CLAMD_URL` (tcp://host:3310 or unix:///run/clamav/clamd.ctl) turns scanning on; empty, it is
off, files are stored as "unscanned" and the admin warns on every page.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class ScanUnavailable(Exception):
    """clamd could not give an answer (down, timeout, file too long): the scan is tried again later."""


@dataclass(frozen=True)
class Verdict:
    infected: bool
    signature: str = ""


def scanning_enabled():
    return bool(settings.CLAMD_URL)


def clamd_client(timeout=None):
    from clamav_client.clamd import ClamdNetworkSocket, ClamdUnixSocket

    url = urlsplit(settings.CLAMD_URL)
    timeout = timeout or settings.CLAMD_TIMEOUT_SECONDS
    if url.scheme == "tcp" and url.hostname:
        return ClamdNetworkSocket(host=url.hostname, port=url.port or 3310, timeout=timeout)
    if url.scheme == "unix" and url.path:
        return ClamdUnixSocket(path=url.path, timeout=timeout)
    raise ImproperlyConfigured("CLAMD_URL : tcp://hôte:3310 ou unix:///chemin/vers/clamd.ctl")


def scan(stream):
    """Stream a file to clamd (INSTREAM) and read its verdict."""
    from clamav_client.clamd import ClamdError

    try:
        answer = clamd_client().instream(stream)
    except (ClamdError, OSError) as error:
        raise ScanUnavailable(str(error)) from error
    # {"stream": ("FOUND", "Eicar-Test-Signature"), or ("OK", None), or ("ERROR", reason)}
    status, reason = next(iter(answer.values()), ("ERROR", "no answer"))
    if status == "OK":
        return Verdict(infected=False)
    if status == "FOUND":
        return Verdict(infected=True, signature=reason or "?")
    raise ScanUnavailable(f"clamd: {status} {reason}")


def clamd_ping():
    """For the health page: True when clamd answers PONG."""
    from clamav_client.clamd import ClamdError

    try:
        return clamd_client(timeout=2).ping() == "PONG"
    except (ClamdError, OSError):
        return False
