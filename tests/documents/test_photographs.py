"""The photos and scans of a signed confirmation that tests/photographs.py makes (not the portal's reading of them)."""

import io

import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader

from documents.pdf import confirmation_pdf
from documents.requirements import required_pieces
from tests import photographs

DPI = 200
PX_PER_MM = DPI / 25.4


@pytest.fixture
def confirmation(registration):
    return confirmation_pdf(registration, required_pieces(registration))


@pytest.mark.django_db
def test_the_signature_box_is_found_at_its_size(confirmation):
    x0, y0, x1, y1 = photographs.signature_box(confirmation, dpi=DPI)
    assert (x1 - x0) / PX_PER_MM == pytest.approx(128, abs=1)
    assert (y1 - y0) / PX_PER_MM == pytest.approx(42, abs=1)
    page = np.asarray(photographs.rendered_page(confirmation, dpi=DPI).convert("L"))
    assert page[y0 + 20:y1 - 20, x0 + 2].mean() < 128, "its left border is drawn where it is said to be"


@pytest.mark.django_db
def test_a_signed_page_has_ink_inside_the_box_and_nowhere_else(confirmation):
    page = photographs.rendered_page(confirmation, dpi=DPI)
    x0, y0, x1, y1 = box = photographs.signature_box(confirmation, dpi=DPI)
    blank, signed = np.asarray(page).astype(int), np.asarray(photographs.sign(page, box, seed=4)).astype(int)
    inside = np.zeros(blank.shape[:2], bool)
    inside[y0 + 4:y1 - 4, x0 + 4:x1 - 4] = True
    blank_inside = np.asarray(page.convert("L"))[inside]
    assert (blank_inside < 200).sum() == 0, "the box is empty before"
    changed = np.abs(signed - blank).max(axis=2) > 40
    assert changed[inside].sum() > 2000, "a date and a signature are written in it"
    assert changed[~inside].sum() == 0


@pytest.mark.django_db
def test_a_photograph_has_the_size_asked_with_the_page_inside(confirmation):
    page = photographs.rendered_page(confirmation, dpi=DPI)
    content = photographs.photograph(page, seed=1, rotation=120, tilt=25, megapixels=3, blur=0.5, noise=4, uneven_light=0.8)
    photo = Image.open(io.BytesIO(content))
    assert photo.format == "JPEG"
    assert photo.width * photo.height == pytest.approx(3e6, rel=0.1)
    assert max(photo.size) / min(photo.size) == pytest.approx(4 / 3, rel=0.01)
    grey = np.asarray(photo.convert("L"))
    edges = np.concatenate([grey[:8].ravel(), grey[-8:].ravel(), grey[:, :8].ravel(), grey[:, -8:].ravel()])
    assert np.percentile(edges, 99) < np.percentile(grey, 90) - 40, "the frame's edges show the table, not the paper"


@pytest.mark.django_db
def test_a_scan_is_images_only_one_page_each(confirmation):
    pages = [photographs.rendered_page(confirmation, index, dpi=100) for index in (0, -1)]
    reader = PdfReader(io.BytesIO(photographs.scan_to_pdf(pages, seed=2, dpi=100, skew=2)))
    assert len(reader.pages) == 2
    assert all(not page.extract_text().strip() for page in reader.pages)
    assert float(reader.pages[0].mediabox.width) == pytest.approx(595, abs=3), "an A4 page at the scan's resolution"
