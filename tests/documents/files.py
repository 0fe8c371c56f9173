"""Files for upload tests, made here rather than stored in the repository."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter


def pdf_bytes(pages=1, password=None, padding=0):
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if padding:  # one big binary stream, like a scan (an image of the page, not drawn)
        _add_image_stream(writer, b"\x00" * padding)
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
    """A valid PDF (it passes the portal's content checks) with the EICAR file in a stream of its
    page, as a real infected document would carry its payload. (An attached file would not do: the
    portal removes attachments before storing, so clamd would never see it.)"""
    from pypdf.generic import DictionaryObject, NameObject, StreamObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    payload = StreamObject()
    payload.set_data(eicar_bytes())
    payload.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form")})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): DictionaryObject({
        NameObject("/Payload"): writer._add_object(payload)})})
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _add_image_stream(writer, data):
    """`data` as a grey image in the first page's resources, one pixel a byte."""
    from pypdf.generic import DictionaryObject, NameObject, NumberObject, StreamObject

    image = StreamObject()
    image.set_data(data)
    image.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Image"),
                  NameObject("/Width"): NumberObject(len(data)), NameObject("/Height"): NumberObject(1),
                  NameObject("/ColorSpace"): NameObject("/DeviceGray"), NameObject("/BitsPerComponent"): NumberObject(8)})
    writer.pages[0][NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): DictionaryObject({
        NameObject("/Scan"): writer._add_object(image)})})


# Hostile files: each is small on disk and costly to open naively. Used by the upload-limit
# tests and by `make bench` (bench/bench_upload_worst_case.py).

def huge_png(width, height):
    """A valid PNG of width × height pixels (black RGB) written row by row, so making it never
    holds the image: 12000 × 12000 makes a 440 KB file that decodes to 576 MB."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    compressor, row, parts = zlib.compressobj(9), b"\x00" * (1 + 3 * width), []
    for _ in range(height):
        parts.append(compressor.compress(row))
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b"")


def jpeg_claiming(width, height, progressive=False):
    """A small JPEG whose header (SOF) claims width × height: only the header is ever read."""
    content = bytearray(image_bytes("JPEG", (64, 48)) if not progressive else _progressive_jpeg((64, 48)))
    sof = next(i for i in range(2, len(content)) if content[i] == 0xFF and content[i + 1] in (0xC0, 0xC2))
    content[sof + 5:sof + 9] = height.to_bytes(2, "big") + width.to_bytes(2, "big")
    return bytes(content)


def _progressive_jpeg(size):
    output = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(output, "JPEG", progressive=True)
    return output.getvalue()


def photo_jpeg(width, height, progressive=False, subsampling=2):
    """A real JPEG photo of width × height (a gradient, so it weighs what a photo weighs)."""
    gradient = Image.linear_gradient("L").resize((width, height))
    photo = Image.merge("RGB", (gradient, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT), gradient))
    output = io.BytesIO()
    photo.save(output, "JPEG", quality=85, progressive=progressive, subsampling=subsampling)
    return output.getvalue()


# The page tree of a one-page PDF whose page is object 3, for PDFs written object by object.
PAGE_TREE = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"


def _raw_pdf(objects, root=1):
    """A PDF from its objects' source (object n is objects[n - 1]), with an exact xref table."""
    body, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, source in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + source + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref)
    return bytes(body)


def _stream(data, extra=b""):
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def shared_stream_pdf(pages=20, inflated=7_000_000):
    """A small PDF whose pages all show one compressed content stream that inflates to megabytes
    of text: read page by page, its text is extracted again and again."""
    import zlib

    line = b"BT /F1 12 Tf 72 720 Td (Inscription 2024-000001 version 1) Tj ET\n"
    text = zlib.compress(line * (inflated // len(line)), 9)
    kids = b" ".join(b"%d 0 R" % (5 + n) for n in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
               _stream(text, b"/Filter /FlateDecode"), b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R "
                b"/Resources << /Font << /F1 4 0 R >> >> >>"] * pages
    return _raw_pdf(objects)


def nested_pdf(depth=50_000):
    """A one-page PDF whose page holds arrays nested `depth` deep, and whose page tree is 1000
    levels deep: a recursive reader or walker runs out of stack or time."""
    levels = 1000
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    objects += [b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % (3 + n) for n in range(levels)]
    page = 2 + levels
    objects.append(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Nest %s%s >>" % (
        page - 1, b"[" * depth, b"]" * depth))
    return _raw_pdf(objects)


def many_pages_pdf(pages=5000, declared=None):
    """A PDF of `pages` blank pages; `declared` makes its page tree lie about the count."""
    kids = b" ".join(b"%d 0 R" % (3 + n) for n in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages if declared is None else declared)]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * pages
    return _raw_pdf(objects)


# PDFs with active content: what could run or open something when staff open the file.

def _writer_with_page():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    return writer


def _written(writer):
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _javascript_action(writer, code):
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    return writer._add_object(DictionaryObject({NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject("/JavaScript"),
                                                NameObject("/JS"): TextStringObject(code)}))


def _document_script(writer, code):
    """A document-level script, in the catalog's names tree."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("script"), _javascript_action(writer, code)])})
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): writer._add_object(tree)})


def pdf_with_javascript():
    """Scripts where a viewer runs them: on opening (/OpenAction), in the names tree, on a page (/AA)."""
    from pypdf.generic import DictionaryObject, NameObject

    writer = _writer_with_page()
    _document_script(writer, "app.alert('document');")
    writer._root_object[NameObject("/OpenAction")] = _javascript_action(writer, "app.alert('ouverture');")
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): _javascript_action(writer, "app.alert('page');")})
    return _written(writer)


def pdf_with_active(kind):
    """One kind of active content: "launch" (a link that starts a program), "embedded" (an
    attached file), "richmedia" (a Flash annotation), "xfa" (an XFA form beside its fields),
    "dynamic-xfa" (an XFA form with no field outside it)."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, StreamObject, TextStringObject

    writer = _writer_with_page()
    page = writer.pages[0]

    def annotation(fields):
        rect = ArrayObject([NumberObject(n) for n in (50, 50, 200, 100)])
        annotation = writer._add_object(DictionaryObject({NameObject("/Type"): NameObject("/Annot"), NameObject("/Rect"): rect, **fields}))
        page[NameObject("/Annots")] = ArrayObject([annotation])

    if kind == "launch":
        annotation({NameObject("/Subtype"): NameObject("/Link"), NameObject("/A"): DictionaryObject({
            NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")})})
    elif kind == "embedded":
        writer.add_attachment("programme.exe", b"MZ" + b"\x00" * 100)
    elif kind == "richmedia":
        annotation({NameObject("/Subtype"): NameObject("/RichMedia"), NameObject("/RichMediaContent"): DictionaryObject()})
    elif kind in ("xfa", "dynamic-xfa"):
        xfa = StreamObject()
        xfa.set_data(b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'><script>app.alert(1)</script></xdp:xdp>")
        fields = ArrayObject() if kind == "dynamic-xfa" else ArrayObject([_text_field(writer, page, "nom", "Martin")])
        writer._root_object[NameObject("/AcroForm")] = writer._add_object(DictionaryObject({
            NameObject("/Fields"): fields, NameObject("/XFA"): writer._add_object(xfa)}))
    else:
        raise ValueError(kind)
    return _written(writer)


def _text_field(writer, page, name, value, actions=None):
    """A filled-in text field with its widget on `page` (and, with `actions`, its scripts)."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, StreamObject, TextStringObject

    appearance = StreamObject()
    appearance.set_data(b"/Tx BMC BT /Helv 12 Tf 2 6 Td (" + value.encode() + b") Tj ET EMC")
    appearance.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                       NameObject("/BBox"): ArrayObject([NumberObject(n) for n in (0, 0, 200, 20)])})
    field = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Widget"),
        NameObject("/FT"): NameObject("/Tx"), NameObject("/T"): TextStringObject(name), NameObject("/V"): TextStringObject(value),
        NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (100, 700, 300, 720)]),
        NameObject("/AP"): DictionaryObject({NameObject("/N"): writer._add_object(appearance)}),
        NameObject("/P"): page.indirect_reference})
    if actions:
        field[NameObject("/AA")] = DictionaryObject(actions)
    reference = writer._add_object(field)
    page[NameObject("/Annots")] = ArrayObject([*page.get("/Annots", []), reference])
    return reference


def fillable_cerfa_with_javascript():
    """A CERFA-like fillable form, filled in: its fields format and check themselves with
    JavaScript (keystroke and validation scripts, a document-level script), as CERFA forms do."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    writer = _writer_with_page()
    page = writer.pages[0]
    fields = [
        _text_field(writer, page, "nom", "Martin", {NameObject("/K"): _javascript_action(writer, "AFSpecial_Keystroke(0);")}),
        _text_field(writer, page, "naissance", "01/02/2005", {NameObject("/V"): _javascript_action(writer, "AFDate_FormatEx('dd/mm/yyyy');")}),
    ]
    writer._root_object[NameObject("/AcroForm")] = writer._add_object(DictionaryObject({NameObject("/Fields"): ArrayObject(fields)}))
    _document_script(writer, "function verifier() { return true; }")
    return _written(writer)


def chained_pdf(links=150_000):
    """A one-page PDF whose catalog leads to a chain of `links` objects, each pointing to the
    next: any walk of the document must count what it visits, or it runs for as long as the chain."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R /PieceInfo 4 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    objects += [b"<< /Next %d 0 R >>" % (5 + n) for n in range(links - 1)] + [b"<< >>"]
    return _raw_pdf(objects)


def chained_pdf_with_script(links):
    """A one-page PDF that runs a script when opened, whose catalog leads to a chain of `links`
    objects: each file of an upload under the object limit, ten of them far over it."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R /PieceInfo 6 0 R /OpenAction 5 0 R >>", PAGE_TREE,
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>", b"<< >>", b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"]
    objects += [b"<< /Next %d 0 R >>" % (7 + n) for n in range(links - 1)] + [b"<< >>"]
    return _raw_pdf(objects)
