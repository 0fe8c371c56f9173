"""PDFs from HTML templates, by WeasyPrint: tagged (PDF/UA-1) so screen readers can read them,
in the DSFR's Marianne font. Knows no app: each app writes its own documents with `render_pdf`."""

from pathlib import Path

import dsfr
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from common.typography import french_html

FONTS = Path(dsfr.__file__).resolve().parent / "static" / "dsfr" / "dist" / "fonts"


def render_pdf(template, context):
    """The template drawn with `context` (plus `fonts` and `generated_at`), as PDF bytes."""
    from weasyprint import HTML

    html = french_html(render_to_string(template, {**context, "fonts": FONTS.as_uri(), "generated_at": timezone.now()}))
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/ua-1")


def one_line_pdf():
    """The floor of the PDF benchmark: WeasyPrint on a page with one line of text."""
    from weasyprint import HTML

    return HTML(string="<p>Bonjour</p>").write_pdf()
