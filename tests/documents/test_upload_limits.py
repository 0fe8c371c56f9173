"""No upload can exhaust a web process: pixel limits from the header, reduced decoding, bounded
PDF work, all of it before any database transaction (issue 13, item 4)."""

import hashlib
import io
import time

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from PIL import ImageFile
from pypdf import PdfReader

from documents import uploads
from documents.models import Piece, PieceFile
from tests.documents.conftest import stored_files
from tests.documents.files import (
    chained_pdf,
    huge_png,
    image_bytes,
    jpeg_claiming,
    many_pages_pdf,
    nested_pdf,
    pdf_bytes,
    photo_jpeg,
    shared_stream_pdf,
    upload,
)
from tests.factories import paris

pytestmark = pytest.mark.django_db

OPEN = paris(2023, 11, 1, 10)


def post(client, registration, files, kind="identity", **data):
    with time_machine.travel(OPEN, tick=False):
        return client.post(reverse("documents:upload", args=[registration.pk, kind]), {"files": files, **data},
                           HTTP_X_REQUESTED_WITH="XMLHttpRequest")


@pytest.fixture
def decoded_sizes(monkeypatch):
    """The size of every image Pillow decodes, as it decodes it."""
    sizes = []
    real_load = ImageFile.ImageFile.load

    def load(image):
        if image.tile:  # not yet decoded: this call decodes it, at this size
            sizes.append(image.size)
        return real_load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return sizes


@pytest.fixture
def no_decoding(monkeypatch):
    def load(image):
        raise AssertionError("an image was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)


TOO_LARGE = [
    ("a 12000 × 12000 PNG (440 KB, 576 MB decoded)", "photo.png", lambda: huge_png(12000, 12000),
     "12000 × 12000 pixels (144,0 mégapixels) ; la limite est de 24 mégapixels pour une image PNG"),
    ("a PNG of 25 MP", "scan.png", lambda: huge_png(5000, 5000), "la limite est de 24 mégapixels pour une image PNG"),
    ("a JPEG of 144 MP", "photo.jpg", lambda: jpeg_claiming(12000, 12000), "la limite est de 50 mégapixels pour une image JPEG."),
    ("a JPEG of 51 MP", "photo.jpg", lambda: jpeg_claiming(8500, 6000), "(51,0 mégapixels) ; la limite est de 50 mégapixels"),
    ("a progressive JPEG of 13 MP", "photo.jpg", lambda: jpeg_claiming(4000, 3250, progressive=True),
     "12 mégapixels pour une image JPEG progressive"),
]


@pytest.mark.parametrize(("case", "name", "make", "message"), TOO_LARGE, ids=[case[0] for case in TOO_LARGE])
def test_an_image_above_the_pixel_limit_is_refused_before_decoding(logged_in, registration, private_media, no_decoding,
                                                                   case, name, make, message):
    response = post(logged_in, registration, [upload(name, make())])
    assert response.status_code == 400
    answer = response.json()["message"]
    assert message in answer
    assert "réglez l'appareil photo du téléphone sur 12 mégapixels" in answer and "scannez le document en PDF" in answer
    assert not PieceFile.objects.exists() and stored_files(private_media) == []


def test_a_png_at_the_pixel_limit_is_accepted(logged_in, registration):
    assert post(logged_in, registration, [upload("scan.png", huge_png(4800, 5000))]).status_code == 200
    assert PieceFile.objects.get().content_type == "image/png"


def test_a_50_megapixel_phone_photo_is_accepted_and_decoded_at_an_eighth(logged_in, registration, decoded_sizes):
    photo = photo_jpeg(8160, 6120)  # a 50 MP phone's full resolution
    assert post(logged_in, registration, [upload("photo.jpg", photo)]).status_code == 200
    assert decoded_sizes == [(1020, 765)]  # 0.8 MP decoded, not 50
    assert PieceFile.objects.get().size == len(photo)


def test_a_jpeg_needing_more_than_libjpegs_memory_bound_is_refused(monkeypatch):
    """A progressive (or crafted multi-scan) JPEG holds all its coefficients while it decodes:
    libjpeg's own limit (JPEGMEM) stops the decode instead of letting the process grow."""
    import os

    photo = photo_jpeg(3000, 2000, progressive=True, subsampling=0)  # 6 MP, 36 MB of coefficients
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)  # as WeasyPrint leaves it, once imported
    monkeypatch.setattr(uploads, "JPEG_DECODER_MEMORY", "8M")
    assert "image endommagée" in _refusal([upload("photo.jpg", photo)])
    assert "JPEGMEM" not in os.environ and ImageFile.LOAD_TRUNCATED_IMAGES  # changed only while decoding
    monkeypatch.setattr(uploads, "JPEG_DECODER_MEMORY", "100M")
    assert uploads.prepare_uploads([upload("photo.jpg", photo)])


def test_the_combined_pdf_is_built_from_reduced_images(logged_in, registration, decoded_sizes):
    photos = [upload("recto.jpg", photo_jpeg(6000, 4000)), upload("verso.jpg", photo_jpeg(6000, 4000)),
              upload("page.png", image_bytes("PNG", (3000, 1000)))]
    response = post(logged_in, registration, photos, combine="on")
    assert response.status_code == 200
    # Each 24 MP photo is decoded at 1/8 to check it, then at 1/2 for its page (then halved
    # again to fit 2000 px): never whole. A PNG is decoded whole (it has no reduced scale).
    assert decoded_sizes == [(750, 500), (750, 500), (3000, 1000), (3000, 2000), (3000, 2000), (3000, 1000)]
    stored = PieceFile.objects.get()
    with stored.file.open("rb") as file:
        pages = PdfReader(io.BytesIO(file.read())).pages
    sizes = [(image.image.width, image.image.height) for page in pages for image in page.images]
    assert sizes == [(1500, 1000), (1500, 1000), (1500, 500)]


def test_at_most_10_photos_can_be_combined(logged_in, registration, no_decoding):
    photos = [upload(f"page-{n}.jpg", image_bytes("JPEG")) for n in range(11)]
    response = post(logged_in, registration, photos, combine="on")
    assert response.status_code == 400
    assert "au plus 10 photos en un PDF ; vous en avez choisi 11" in response.json()["message"]
    assert not PieceFile.objects.exists()


def _cpu_seconds(call):
    start = time.process_time()
    result = call()
    return time.process_time() - start, result


def test_a_shared_stream_pdf_costs_bounded_work(logged_in, registration):
    """20 pages sharing one 7 MB text stream (27 KB on disk): 33 s of CPU before the limits."""
    seconds, response = _cpu_seconds(lambda: post(logged_in, registration, [upload("confirmation.pdf", shared_stream_pdf())],
                                                  kind="confirmation"))
    assert response.status_code == 200
    assert seconds < 1, seconds
    assert PieceFile.objects.get().confirmation_version is None  # unreadable: harmless, nothing flagged


def test_the_version_of_a_real_confirmation_is_still_read_within_the_limits(registration):
    from documents import pdf
    from documents.requirements import required_pieces

    confirmation = pdf.confirmation_pdf(registration, required_pieces(registration))
    assert uploads.confirmation_version_in(io.BytesIO(confirmation)) == registration.version


REFUSED_PDFS = [
    ("5000 pages", lambda: many_pages_pdf(5000), "compte 5000 pages ; la limite est de 300 pages par fichier"),
    ("5000 pages under a /Count of 1", lambda: many_pages_pdf(5000, declared=1), "structure trop complexe"),
    ("a page tree 1000 levels deep", lambda: nested_pdf(), "structure trop complexe"),
    ("a chain of 150 000 objects", lambda: chained_pdf(150_000), "structure trop complexe"),
]


@pytest.mark.parametrize(("case", "make", "message"), REFUSED_PDFS, ids=[case[0] for case in REFUSED_PDFS])
def test_a_pdf_beyond_the_bounds_is_refused_after_bounded_work(case, make, message):
    content = make()
    seconds, refusal = _cpu_seconds(lambda: _refusal([upload("dossier.pdf", content)]))
    assert message in refusal
    assert seconds < 2, seconds  # the CPU of judging the file, this test's own work apart


def test_a_refused_pdf_leaves_nothing(logged_in, registration, private_media):
    response = post(logged_in, registration, [upload("dossier.pdf", many_pages_pdf(5000))])
    assert response.status_code == 400 and "5000 pages" in response.json()["message"]
    assert not Piece.objects.exists() and stored_files(private_media) == []


def _refusal(files):
    with pytest.raises(uploads.UploadRejected) as refused:
        uploads.prepare_uploads(files)
    return str(refused.value)


def test_a_pdf_of_300_pages_is_accepted(logged_in, registration):
    assert post(logged_in, registration, [upload("dossier.pdf", many_pages_pdf(300))]).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_files_are_judged_outside_any_database_transaction(reference_data, monkeypatch):
    """Reading a PDF, extracting its text and decoding images happen before the upload's
    transaction: no row is locked, and no other candidate's write waits, while a file is read."""
    import pypdf

    from documents.models import PieceKind
    from documents.services import piece_upload
    from tests.factories import RegistrationFactory

    registration = RegistrationFactory()
    in_transaction = []
    real_reader, real_load = pypdf.PdfReader, ImageFile.ImageFile.load

    def reader(*args, **kwargs):
        in_transaction.append(connection.in_atomic_block)
        return real_reader(*args, **kwargs)

    def load(image):
        in_transaction.append(connection.in_atomic_block)
        return real_load(image)

    monkeypatch.setattr(pypdf, "PdfReader", reader)
    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    with time_machine.travel(OPEN, tick=False):
        piece_upload(registration=registration, piece_kind=PieceKind.objects.get(code="confirmation"),
                     uploads=[upload("confirmation.pdf", pdf_bytes()), upload("photo.jpg", image_bytes("JPEG"))])
    assert in_transaction and not any(in_transaction), in_transaction
    assert PieceFile.objects.count() == 2


def test_a_combined_pdf_keeps_the_hash_of_the_photos_sent(logged_in, registration):
    recto, verso = image_bytes("JPEG"), image_bytes("PNG")
    post(logged_in, registration, [upload("recto.jpg", recto), upload("verso.png", verso)], combine="on")
    stored = PieceFile.objects.get()
    hashes = hashlib.sha256(recto).hexdigest() + hashlib.sha256(verso).hexdigest()
    assert stored.sent_sha256 == hashlib.sha256(hashes.encode()).hexdigest()
    with stored.file.open("rb") as file:
        assert stored.sha256 == hashlib.sha256(file.read()).hexdigest()
