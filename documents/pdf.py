"""Every PDF the portal makes, from HTML templates under templates/documents/pdf/, by WeasyPrint."""

import base64
import hashlib
import hmac
from pathlib import Path

import dsfr
import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

FONTS = Path(dsfr.__file__).resolve().parent / "static" / "dsfr" / "dist" / "fonts"


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


def _render(template, context):
    from weasyprint import HTML

    html = render_to_string(template, {**context, "fonts": FONTS.as_uri(), "generated_at": timezone.now()})
    # Tagged PDF (PDF/UA-1), so screen readers can read the documents the portal produces.
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/ua-1")


def confirmation_pdf(registration, pieces):
    """The registration confirmation of "Mes documents", to check, date, sign and upload."""
    code = verification_code(registration)
    qr = _qr_data_uri(f"BTS {registration.number} v{registration.version} {code}")
    context = {"registration": registration, "candidate": registration.candidate, "pieces": pieces,
               "code": code, "qr": qr}
    return _render("documents/pdf/confirmation.html", context)


def engagement_form_pdf(registration):
    """The "engagement étudiant" form the candidate completes and uploads."""
    return _render("documents/pdf/engagement.html", {"registration": registration, "candidate": registration.candidate})


def convocation_pdf(registration, slots):
    """The convocation to the épreuves, with date, time, place and académie of each."""
    return _render("documents/pdf/convocation.html", {"registration": registration, "candidate": registration.candidate,
                                                      "slots": slots})


def transcript_pdf(registration, rows, general, professional, decision):
    """The « relevé de notes »: each épreuve's marks, the averages and the jury's decision."""
    return _render("documents/pdf/transcript.html", {"registration": registration, "candidate": registration.candidate,
                                                     "rows": rows, "general": general, "professional": professional,
                                                     "decision": decision})


def one_line_pdf():
    """The floor of the PDF benchmark: WeasyPrint on a page with one line of text."""
    from weasyprint import HTML

    return HTML(string="<p>Bonjour</p>").write_pdf()
