"""Files for upload tests, made here rather than stored in the repository."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter


def pdf_bytes(pages=1, password=None, padding=0):
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if padding:  # one big binary stream, like a scan
        writer.add_attachment("scan.bin", b"\x00" * padding)
    if password:
        writer.encrypt(password)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def pdf_of_exactly(size):
    """A valid PDF of exactly `size` bytes (its metadata pads it)."""
    padding = 1
    for _ in range(5):
        content = pdf_bytes(padding=padding)
        if len(content) == size:
            return content
        padding += size - len(content)
    raise AssertionError(f"could not make a PDF of {size} bytes")


def image_bytes(fmt="JPEG", size=(400, 300)):
    output = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(output, fmt)
    return output.getvalue()


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def eicar_bytes():
    """The EICAR antivirus test file: harmless, and detected as a virus by design. Built here, in
    two halves, so that no scanner flags this repository itself."""
    return (r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-" + r"ANTIVIRUS-TEST-FILE!$H+H*").encode()


def pdf_carrying_eicar():
    """A valid PDF (it passes the portal's content checks) with the EICAR file attached, as a
    real infected document would carry its payload."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("eicar.com", eicar_bytes())
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
