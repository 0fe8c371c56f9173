"""What the signed confirmation's QR code says, and where its « Date et signature » box stands.

The QR code holds the portal's verification address of one version of one registration:
`<PORTAL_BASE_URL>/verifier/<code>?n=<number>&v=<version>`, where `code` is the HMAC of the
number and version (`verification_code`). The page `/verifier/<code>` reads only the code; the
number and version are there for the reading of an uploaded copy (documents/qr_reading.py),
which trusts them only when the code proves them. Copies printed before the address was added
hold `BTS <number> v<version> <code>`, read the same way.

The PDF draws the box and the QR code at a fixed place from each other (`SIGNATURE_LAYOUT_MM`),
so that, on a photo, the QR code's four corners tell where the box is (`SIGNATURE_BOX`).
"""

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings

_CODE = r"[A-Z2-7]{5}-[A-Z2-7]{5}"
CODE_PATTERN = re.compile(rf"^{_CODE}$")
_ADDRESS = re.compile(rf"/verifier/(?P<code>{_CODE})\?n=(?P<number>[\w-]{{1,20}})&v=(?P<version>\d{{1,6}})$")
_PRINTED_BEFORE = re.compile(rf"^BTS (?P<number>[\w-]{{1,20}}) v(?P<version>\d{{1,6}}) (?P<code>{_CODE})$")


def verification_code(registration, version=None):
    """A short code bound to the registration number and version, signed with the secret key."""
    return code_of(registration.number, registration.version if version is None else version)


def code_of(number, version, key=None):
    message = f"{number}|{version}".encode()
    digest = hmac.new((key or settings.SECRET_KEY).encode(), message, hashlib.sha256).digest()
    code = base64.b32encode(digest)[:10].decode()
    return f"{code[:5]}-{code[5:]}"


def qr_payload(registration):
    """The text of the QR code printed on the confirmation of the registration's current version."""
    code = verification_code(registration)
    query = urlencode({"n": registration.number, "v": registration.version})
    return f"{settings.PORTAL_BASE_URL.rstrip('/')}/verifier/{code}?{query}"


@dataclass(frozen=True)
class ConfirmationMark:
    """What a QR code proves: this number's confirmation, at this version."""

    number: str
    version: int
    code: str


def mark_in(text):
    """The confirmation a QR code's text proves, or None: a text of another shape, or whose code
    is not the one the secret key gives for its number and version (a forged or foreign code)."""
    match = _ADDRESS.search(text) or _PRINTED_BEFORE.match(text)
    if match is None:
        return None
    number, version, code = match["number"], int(match["version"]), match["code"]
    # A copy printed before the secret key was changed still proves itself by a former key.
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if not any(hmac.compare_digest(code_of(number, version, key), code) for key in keys):
        return None
    return ConfirmationMark(number=number, version=version, code=code)


# The confirmation's last block, in millimetres from its top left corner: the box the candidate
# dates and signs in, and the QR code's symbol (drawn without margin: the page around it is white).
SIGNATURE_LAYOUT_MM = {"height": 42, "box": (0, 0, 128, 42), "qr": (138, 6, 30)}  # box: x, y, width, height; qr: x, y, side


def _signature_box():
    qr_x, qr_y, side = SIGNATURE_LAYOUT_MM["qr"]
    x, y, width, height = SIGNATURE_LAYOUT_MM["box"]
    return ((x - qr_x) / side, (y - qr_y) / side, (x + width - qr_x) / side, (y + height - qr_y) / side)


# The box in the QR symbol's own coordinates: (0, 0) its top left corner, (1, 1) its bottom right.
SIGNATURE_BOX = _signature_box()
