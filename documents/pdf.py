"""The dossier's PDFs (templates/documents/pdf/): the confirmation to sign, with its verification
code and QR code, and the engagement form. Drawn by common/pdf.py."""

import base64
import hashlib
import hmac

import segno
from django.conf import settings

from common.pdf import render_pdf


def verification_code(registration):
    """A short code bound to the registration number and version, signed with the secret key.

    Staff compare it with the current one (admin) to tell whether a signed copy is up to date.
    """
    message = f"{registration.number}|{registration.version}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    code = base64.b32encode(digest)[:10].decode()
    return f"{code[:5]}-{code[5:]}"


def _qr_data_uri(text):
    svg = segno.make(text, error="m").svg_inline(scale=3, border=0)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def confirmation_pdf(registration, pieces):
    """The registration confirmation of "Mes documents", to check, date, sign and upload."""
    code = verification_code(registration)
    qr = _qr_data_uri(f"BTS {registration.number} v{registration.version} {code}")
    context = {"registration": registration, "candidate": registration.candidate, "pieces": pieces,
               "code": code, "qr": qr}
    return render_pdf("documents/pdf/confirmation.html", context)


def engagement_form_pdf(registration):
    """The "engagement étudiant" form the candidate completes and uploads."""
    return render_pdf("documents/pdf/engagement.html", {"registration": registration, "candidate": registration.candidate})
