"""The dossier's PDFs (templates/documents/pdf/): the confirmation to sign, with its verification
code and QR code (documents/confirmation_code.py), and the engagement form. Drawn by common/pdf.py."""

import base64

import segno

from common.pdf import render_pdf
from documents.confirmation_code import SIGNATURE_LAYOUT_MM, qr_payload, verification_code


def _qr_data_uri(text):
    # Error correction Q (a quarter of the symbol may be lost: a fold, a shadow, a pen stroke);
    # no margin in the image: the page around it is white (SIGNATURE_LAYOUT_MM).
    svg = segno.make(text, error="q", boost_error=False).svg_inline(scale=4, border=0)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def confirmation_pdf(registration, pieces):
    """The registration confirmation of "Mes documents", to check, date, sign and upload."""
    code = verification_code(registration)
    box_x, box_y, box_width, box_height = SIGNATURE_LAYOUT_MM["box"]
    qr_x, qr_y, qr_side = SIGNATURE_LAYOUT_MM["qr"]
    layout = {"height": SIGNATURE_LAYOUT_MM["height"], "box_x": box_x, "box_y": box_y, "box_width": box_width,
              "box_height": box_height, "qr_x": qr_x, "qr_y": qr_y, "qr_side": qr_side}
    context = {"registration": registration, "candidate": registration.candidate, "pieces": pieces,
               "code": code, "qr": _qr_data_uri(qr_payload(registration)), "layout": layout}
    return render_pdf("documents/pdf/confirmation.html", context)


def engagement_form_pdf(registration):
    """The "engagement étudiant" form the candidate completes and uploads."""
    return render_pdf("documents/pdf/engagement.html", {"registration": registration, "candidate": registration.candidate})
