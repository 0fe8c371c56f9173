"""The signed confirmation judged by its QR code: photos and scans made in software from the
portal's own PDF (tests/photographs.py), uploaded as a candidate would."""

import html
import io

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from documents import pdf, qr_reading, signed_copies
from documents.confirmation_code import code_of, mark_in, qr_payload
from documents.locking import close_registrations, registration_finalize
from documents.models import GeneratedDocument, GeneratedDocumentKind, Piece, PieceFile, PieceKind, PieceStatus, QrReading
from documents.requirements import required_pieces
from documents.scanning import piece_file_read_qr
from documents.tasks import render_registration_documents
from exams.models import Registration
from tests import photographs
from tests.documents.files import image_bytes, pdf_bytes, upload
from tests.documents.helpers import OPEN, give_every_piece, stored_files
from tests.factories import RegistrationFactory
from tests.portal.helpers import log_in_with_second_factor

pytestmark = pytest.mark.django_db


def confirmation_of(registration, version=None):
    """The portal's confirmation PDF of `registration` at `version` (its current one by default)."""
    current = registration.version
    registration.version = version or current
    try:
        return pdf.confirmation_pdf(registration, required_pieces(registration))
    finally:
        registration.version = current


def photo_of(pdf_bytes, *, signed=True, seed=1, **conditions):
    page = photographs.rendered_page(pdf_bytes)
    if signed:
        page = photographs.sign(page, photographs.signature_box(pdf_bytes), seed=seed)
    return photographs.photograph(page, seed=seed, **{"megapixels": 8, **conditions})


def page_text(response):
    """The page as a reader sees it (the portal's typography puts no-break spaces before « : »)."""
    return html.unescape(response.content.decode()).replace("\xa0", " ").replace("\u202f", " ")


def read(content, content_type="image/jpeg", **kwargs):
    return qr_reading.read_confirmation(io.BytesIO(content), content_type, **kwargs)


def post_copy(client, registration, content, name="confirmation.jpg", xhr=True):
    headers = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"} if xhr else {}
    with time_machine.travel(OPEN, tick=False):
        return client.post(reverse("documents:upload", args=[registration.pk, PieceKind.CONFIRMATION]),
                           {"files": [upload(name, content)]}, **headers)


@pytest.fixture
def registration(candidate):
    return RegistrationFactory(candidate=candidate, version=7)


@pytest.fixture
def current_copy(registration):
    return photo_of(confirmation_of(registration))


# --- What the QR code proves -------------------------------------------------------------------

def test_the_qr_code_holds_the_verification_address_number_and_version(registration, settings):
    settings.PORTAL_BASE_URL = "https://bts.example.fr"
    payload = qr_payload(registration)
    assert payload == f"https://bts.example.fr/verifier/{code_of(registration.number, 7)}?n={registration.number}&v=7"
    assert mark_in(payload).version == 7 and mark_in(payload).number == registration.number


def test_a_code_that_its_hmac_does_not_prove_names_nothing(registration):
    """A misread digit, or a code made by hand for another number or version, is no mark."""
    genuine = qr_payload(registration)
    assert mark_in(genuine.replace("v=7", "v=8")) is None
    assert mark_in(genuine.replace(registration.number, "2024-999999")) is None
    assert mark_in(f"BTS {registration.number} v7 {code_of(registration.number, 7)}") is not None  # printed before the address
    assert mark_in(f"BTS {registration.number} v8 {code_of(registration.number, 7)}") is None


# --- Reading photos and scans -------------------------------------------------------------------

PHOTOS = [
    ("straight, 12 MP, JPEG 60", {"megapixels": 12}),
    ("upside down", {"rotation": 180}),
    ("a quarter turn", {"rotation": 90}),
    ("three quarters", {"rotation": 270}),
    ("33 degrees", {"rotation": 33}),
    ("tilted 30 degrees", {"tilt": 30, "rotation": 8}),
    ("2 MP", {"megapixels": 2, "rotation": 4}),
    ("uneven light", {"uneven_light": 1.0, "rotation": 350}),
    ("blurred and noisy", {"blur": 1.2, "noise": 8, "rotation": 12}),
    ("PNG", {"fmt": "PNG", "megapixels": 6, "rotation": 2}),
]


@pytest.mark.parametrize(("case", "conditions"), PHOTOS, ids=[case for case, _ in PHOTOS])
def test_a_photo_of_the_signed_page_tells_its_registration_and_version(registration, case, conditions):
    content = photo_of(confirmation_of(registration, version=5), seed=len(case), **conditions)
    reading = read(content, "image/png" if conditions.get("fmt") == "PNG" else "image/jpeg")
    assert reading.mark is not None, case
    assert (reading.mark.number, reading.mark.version) == (registration.number, 5)


def test_an_image_only_scan_of_both_pages_is_read(registration):
    confirmation = confirmation_of(registration)
    pages = [photographs.rendered_page(confirmation, page_index=0),
             photographs.sign(photographs.rendered_page(confirmation), photographs.signature_box(confirmation))]
    scan = photographs.scan_to_pdf(pages, seed=3, skew=2.0)
    from pypdf import PdfReader

    assert not "".join(page.extract_text() for page in PdfReader(io.BytesIO(scan)).pages).strip()  # no text layer
    reading = read(scan, "application/pdf")
    assert reading.mark.version == 7 and reading.signature_ink is True


def test_the_portal_pdf_itself_is_read_and_its_box_is_empty(registration):
    reading = read(confirmation_of(registration), "application/pdf")
    assert reading.mark.version == 7 and reading.signature_ink is False


@pytest.mark.parametrize("conditions", [{"rotation": 0}, {"rotation": 160, "tilt": 20}, {"megapixels": 3, "uneven_light": 0.8}],
                         ids=["straight", "turned and tilted", "3 MP in a shadow"])
def test_the_signature_box_is_told_signed_or_empty_on_the_same_page(registration, conditions):
    confirmation = confirmation_of(registration)
    assert read(photo_of(confirmation, signed=True, seed=4, **conditions)).signature_ink is True
    assert read(photo_of(confirmation, signed=False, seed=4, **conditions)).signature_ink is False


def test_a_page_without_the_code_is_unreadable(registration):
    blank = photographs.photograph(photographs.rendered_page(pdf_bytes()), seed=2, megapixels=4)
    reading = read(blank)
    assert reading.mark is None and reading.complete and reading.signature_ink is None


def test_a_pdf_that_takes_minutes_to_draw_is_given_up_within_its_limits(monkeypatch):
    """20 pages of one stream that inflates to 7 MB of text: PDFium took 4.7 s a page. It is drawn
    in a child process that is stopped at the request's budget, or at the worker's limit."""
    import time

    from tests.documents.files import shared_stream_pdf

    hostile = shared_stream_pdf()
    started = time.monotonic()
    in_request = read(hostile, "application/pdf", budget=0.3)
    assert not in_request.complete and time.monotonic() - started < 3
    monkeypatch.setattr(qr_reading, "WORKER_TIMEOUT", 1)
    started = time.monotonic()
    in_worker = read(hostile, "application/pdf")
    assert in_worker.complete and in_worker.mark is None and time.monotonic() - started < 5


def finder_field(side):
    """A PNG of QR finder patterns side by side (11 KB for 2000 × 2000): zxing weighs each of its
    thousands of candidates against the others, for minutes."""
    import numpy
    from PIL import Image

    pattern = numpy.full((7, 7), 255, numpy.uint8)
    pattern[0, :] = pattern[6, :] = pattern[:, 0] = pattern[:, 6] = 0
    pattern[2:5, 2:5] = 0
    tile = numpy.full((8, 8), 255, numpy.uint8)
    tile[:7, :7] = pattern
    buffer = io.BytesIO()
    Image.fromarray(numpy.tile(tile, (side // 8 + 1, side // 8 + 1))[:side, :side]).save(buffer, "PNG")
    return buffer.getvalue()


def test_an_image_that_keeps_zxing_busy_for_minutes_is_given_up_within_its_limits(monkeypatch):
    """It took 15 s in the upload request, 77 s in the worker: both now stop at their limit."""
    import time

    crafted = finder_field(2000)
    started = time.monotonic()
    assert not read(crafted, "image/png", budget=0.5).complete
    assert time.monotonic() - started < 3
    monkeypatch.setattr(qr_reading, "WORKER_TIMEOUT", 1)
    reading = read(crafted, "image/png")
    assert reading.complete and reading.mark is None


def test_no_child_to_be_had_is_a_reading_not_finished(monkeypatch):
    import os

    def no_fork():
        raise BlockingIOError("fork")

    monkeypatch.setattr(os, "fork", no_fork)
    open_before = len(os.listdir("/proc/self/fd"))
    assert read(image_bytes("JPEG", (800, 600)), budget=0.5) == qr_reading.Reading(marks=(), complete=False)
    assert len(os.listdir("/proc/self/fd")) == open_before


def test_a_code_printed_before_the_secret_key_changed_still_proves_itself(registration, settings):
    payload = qr_payload(registration)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    assert mark_in(payload).version == 7


# --- At the upload -----------------------------------------------------------------------------

def test_the_current_version_is_confirmed_at_once(logged_in, registration, current_copy):
    response = post_copy(logged_in, registration, current_copy)
    assert response.status_code == 200
    assert "C'est bien la version 7, la plus récente." in response.json()["message"]
    piece_file = PieceFile.objects.get()
    assert (piece_file.qr_reading, piece_file.confirmation_version, piece_file.signature_ink) == (QrReading.READ, 7, True)


def test_an_older_version_is_stored_with_the_version_to_sign(logged_in, registration):
    response = post_copy(logged_in, registration, photo_of(confirmation_of(registration, version=5)))
    assert response.status_code == 200
    assert ("Ce document est la version 5 : vous avez modifié votre inscription depuis. Imprimez et signez la version 7."
            in response.json()["message"])
    page = page_text(logged_in.get(reverse("documents:pieces", args=[registration.pk])))
    assert "Version 5 dépassée" in page and "Imprimez et signez la version 7" in page


def test_another_registrations_confirmation_is_refused_and_not_stored(logged_in, registration, other_candidate, private_media):
    others = RegistrationFactory(candidate=other_candidate, version=7)
    response = post_copy(logged_in, registration, photo_of(confirmation_of(others)))
    assert response.status_code == 400
    assert response.json()["message"] == "Ce document n'est pas votre confirmation d'inscription."
    assert not PieceFile.objects.exists() and not Piece.objects.exists()
    assert stored_files(private_media) == []


def test_an_unreadable_copy_is_stored_and_left_to_staff(logged_in, registration):
    response = post_copy(logged_in, registration, image_bytes("JPEG", (1600, 1200)), name="photo.jpg")
    assert response.status_code == 200
    assert "Nous n'avons pas pu lire le code QR : vérifiez que la page entière est visible et nette." in response.json()["message"]
    assert PieceFile.objects.get().qr_reading == QrReading.UNREADABLE


def test_a_pdf_holding_anothers_confirmation_before_ones_own_is_refused(logged_in, registration, other_candidate):
    """Every page read counts, not only the first where a code is found."""
    from pypdf import PdfReader, PdfWriter

    others = RegistrationFactory(candidate=other_candidate, version=3)
    writer = PdfWriter()
    for source in (confirmation_of(others), confirmation_of(registration)):
        for page in PdfReader(io.BytesIO(source)).pages:
            writer.add_page(page)
    buffer = io.BytesIO()
    writer.write(buffer)
    response = post_copy(logged_in, registration, buffer.getvalue(), name="copie.pdf")
    assert response.status_code == 400 and not PieceFile.objects.exists()


def test_other_pieces_are_not_read(logged_in, registration):
    with time_machine.travel(OPEN, tick=False):
        logged_in.post(reverse("documents:upload", args=[registration.pk, "identity"]), {"files": [upload("carte.pdf", pdf_bytes())]})
    assert PieceFile.objects.get().qr_reading == ""


def test_a_copy_the_request_could_not_finish_is_read_by_a_worker(logged_in, registration, current_copy, monkeypatch,
                                                                 django_capture_on_commit_callbacks):
    monkeypatch.setattr(signed_copies, "READING_BUDGET", 0)  # the request does not wait for the reading at all
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post_copy(logged_in, registration, current_copy)
    assert "Lecture du code QR en cours" in response.json()["message"]
    piece_file = PieceFile.objects.get()
    assert piece_file.qr_reading == QrReading.PENDING
    assert ("la lecture du code QR de votre confirmation signée n'est pas terminée : actualisez la page dans une minute"
            in registration_blockers(registration))
    for callback in callbacks:  # the queued reading
        callback()
    piece_file.refresh_from_db()
    assert (piece_file.qr_reading, piece_file.confirmation_version) == (QrReading.READ, 7)
    assert piece_file_read_qr(file_id=piece_file.pk) is None  # delivered twice: decided once


def test_a_worker_withdraws_a_copy_that_proves_to_be_anothers(registration, other_candidate, private_media, run_on_commit):
    others = RegistrationFactory(candidate=other_candidate, version=7)
    kind = PieceKind.objects.get(code=PieceKind.CONFIRMATION)
    piece = Piece.objects.create(registration=registration, piece_kind=kind)
    from django.core.files.base import ContentFile

    piece_file = PieceFile(piece=piece, original_name="copie.jpg", content_type="image/jpeg", size=1, sha256="a" * 64,
                           sent_sha256="a" * 64, qr_reading=QrReading.PENDING, scan_status="unscanned")
    piece_file.file.save("copie.jpg", ContentFile(photo_of(confirmation_of(others))), save=True)
    with run_on_commit():
        assert piece_file_read_qr(file_id=piece_file.pk) == "withdrawn"
    assert not PieceFile.objects.exists() and stored_files(private_media) == []
    piece.refresh_from_db()
    assert piece.status == PieceStatus.TO_REPLACE and "n'est pas votre confirmation d'inscription" in piece.review_reason
    assert [m.subject for m in mail.outbox] == ["Confirmation signée retirée\xa0: ce n'est pas la vôtre"]
    assert piece_file_read_qr(file_id=piece_file.pk) is None


def test_a_foreign_copy_found_late_beside_a_good_one_leaves_the_piece_as_it_is(registration, other_candidate, current_copy,
                                                                                run_on_commit):
    from django.core.files.base import ContentFile

    [good] = give_the_copy(registration, current_copy)
    others = RegistrationFactory(candidate=other_candidate, version=7)
    foreign = PieceFile(piece=good.piece, original_name="autre.jpg", content_type="image/jpeg", size=1, sha256="b" * 64,
                        sent_sha256="b" * 64, qr_reading=QrReading.PENDING, scan_status="unscanned")
    foreign.file.save("autre.jpg", ContentFile(photo_of(confirmation_of(others))), save=True)
    with run_on_commit():
        assert piece_file_read_qr(file_id=foreign.pk) == "withdrawn"
    piece = Piece.objects.get()
    assert piece.status == PieceStatus.RECEIVED and list(piece.files.all()) == [good]
    assert "Il a été retiré" in mail.outbox[-1].body and "avant le" not in mail.outbox[-1].body


def test_a_copy_whose_content_is_gone_is_left_to_staff_not_read_again(registration, current_copy):
    [copy] = give_the_copy(registration, current_copy)
    PieceFile.objects.filter(pk=copy.pk).update(qr_reading=QrReading.PENDING)
    copy.file.storage.delete(copy.file.name)
    assert piece_file_read_qr(file_id=copy.pk) is None
    assert PieceFile.objects.get(pk=copy.pk).qr_reading == QrReading.UNREADABLE


# --- The lock ----------------------------------------------------------------------------------

def registration_blockers(registration):
    from documents.completeness import validation_blockers

    return validation_blockers(Registration.objects.get(pk=registration.pk))


def give_the_copy(registration, content, name="confirmation.jpg"):
    from documents.pieces import piece_upload

    kind = PieceKind.objects.get(code=PieceKind.CONFIRMATION)
    return piece_upload(registration=registration, piece_kind=kind, uploads=[upload(name, content)], at=OPEN)


@pytest.fixture
def everything_but_the_copy(registration):
    give_every_piece(registration, OPEN)
    PieceFile.objects.filter(piece__piece_kind__code=PieceKind.CONFIRMATION).delete()
    return registration


def test_the_lock_refuses_an_older_version_and_takes_the_current_one(everything_but_the_copy, current_copy):
    registration = everything_but_the_copy
    give_the_copy(registration, photo_of(confirmation_of(registration, version=6)))
    assert registration_blockers(registration) == [
        "Ce document est la version 6 : vous avez modifié votre inscription depuis. Imprimez et signez la version 7."]
    with time_machine.travel(OPEN, tick=False), pytest.raises(Exception, match="Imprimez et signez la version 7"):
        registration_finalize(registration=Registration.objects.get(pk=registration.pk), at=OPEN)
    give_the_copy(registration, current_copy)
    assert registration_blockers(registration) == []
    assert registration_finalize(registration=Registration.objects.get(pk=registration.pk), at=OPEN)


def test_an_unreadable_copy_does_not_hold_the_lock_back(everything_but_the_copy):
    give_the_copy(everything_but_the_copy, image_bytes("JPEG", (1600, 1200)), name="floue.jpg")
    assert registration_blockers(everything_but_the_copy) == []


def test_an_unreadable_photo_beside_an_older_version_proves_nothing(everything_but_the_copy):
    registration = everything_but_the_copy
    give_the_copy(registration, photo_of(confirmation_of(registration, version=6)))
    give_the_copy(registration, image_bytes("JPEG", (1600, 1200)), name="floue.jpg")
    assert registration_blockers(registration) == [
        "Ce document est la version 6 : vous avez modifié votre inscription depuis. Imprimez et signez la version 7."]


def test_changing_the_registration_after_the_copy_makes_it_outdated_at_once(everything_but_the_copy, current_copy, logged_in):
    registration = everything_but_the_copy
    give_the_copy(registration, current_copy)
    assert registration_blockers(registration) == []
    Registration.objects.filter(pk=registration.pk).update(version=8)  # what a step's save does
    assert registration_blockers(registration) == [
        "Ce document est la version 7 : vous avez modifié votre inscription depuis. Imprimez et signez la version 8."]
    page = page_text(logged_in.get(reverse("documents:pieces", args=[registration.pk])))
    assert "Version 7 dépassée" in page and "Imprimez et signez la version 8" in page


def a_new_version_by(registration, user):
    """What a step's save (the candidate) or an admin change (staff) does: a new version, by them."""
    registration = Registration.objects.get(pk=registration.pk)
    registration.version += 1
    registration._history_user = user
    registration.save()
    return registration


def test_the_deadline_job_cancels_a_registration_whose_copy_is_older(everything_but_the_copy, run_on_commit):
    registration = everything_but_the_copy
    give_the_copy(registration, photo_of(confirmation_of(registration)))
    a_new_version_by(registration, registration.candidate)
    closes = registration.session.registration_closes_at
    with run_on_commit():
        assert close_registrations(at=closes + signed_copies_grace()) == (0, 1)
    assert Registration.objects.get(pk=registration.pk).is_cancelled
    assert ("La confirmation signée déposée était la version 7 ; votre inscription était en version 8, que vous n'avez pas "
            "signée." in mail.outbox[-1].body.replace("\xa0", " ").replace("\u202f", " "))


def test_a_copy_older_only_by_staffs_changes_is_left_to_staff_at_the_deadline(everything_but_the_copy, staff):
    """The residence attestation or a correction in admin makes a version the candidate never saw."""
    registration = everything_but_the_copy
    give_the_copy(registration, photo_of(confirmation_of(registration)))
    a_new_version_by(registration, staff)
    closes = registration.session.registration_closes_at
    assert close_registrations(at=closes + signed_copies_grace()) == (1, 0)


def test_the_deadline_job_finishes_a_reading_under_way_before_judging(everything_but_the_copy, run_on_commit):
    """A copy the request could not read in time is read by the job: an older version still cancels."""
    registration = everything_but_the_copy
    [copy] = give_the_copy(registration, photo_of(confirmation_of(registration)))
    a_new_version_by(registration, registration.candidate)
    PieceFile.objects.filter(pk=copy.pk).update(qr_reading=QrReading.PENDING, confirmation_version=None)
    closes = registration.session.registration_closes_at
    with run_on_commit():
        assert close_registrations(at=closes + signed_copies_grace()) == (0, 1)
    assert PieceFile.objects.get(pk=copy.pk).confirmation_version == 7


def test_the_deadline_job_reads_a_copy_still_being_read_and_locks_with_it_current(everything_but_the_copy, current_copy):
    registration = everything_but_the_copy
    give_the_copy(registration, current_copy)
    PieceFile.objects.filter(piece__piece_kind__code=PieceKind.CONFIRMATION).update(qr_reading=QrReading.PENDING,
                                                                                   confirmation_version=None)
    closes = registration.session.registration_closes_at
    assert close_registrations(at=closes + signed_copies_grace()) == (1, 0)
    assert PieceFile.objects.get(piece__piece_kind__code=PieceKind.CONFIRMATION).qr_reading == QrReading.READ


def signed_copies_grace():
    from datetime import timedelta

    from documents.locking import CLOSING_GRACE

    return CLOSING_GRACE + timedelta(seconds=1)


# --- Staff -------------------------------------------------------------------------------------

def test_staff_filter_registrations_by_signed_version(client, staff, candidate, other_candidate):
    current = RegistrationFactory(candidate=candidate, version=7)
    give_the_copy(current, photo_of(confirmation_of(current)))
    outdated = RegistrationFactory(candidate=other_candidate, version=7)
    give_the_copy(outdated, photo_of(confirmation_of(outdated, version=4)))
    from tests.factories import UserFactory

    unreadable = RegistrationFactory(candidate=UserFactory(), version=2)
    give_the_copy(unreadable, image_bytes("JPEG", (1600, 1200)), name="floue.jpg")
    log_in_with_second_factor(client, staff)
    listed = {}
    for verdict in ("current", "outdated", "unreadable"):
        page = client.get(reverse("admin:exams_registration_changelist"), {"version_signee": verdict}).content.decode()
        listed[verdict] = {r.number for r in (current, outdated, unreadable) if r.number in page}
    assert listed == {"current": {current.number}, "outdated": {outdated.number}, "unreadable": {unreadable.number}}
    page = page_text(client.get(reverse("admin:exams_registration_changelist")))
    assert "version signée" in page and "à jour" in page and "ancienne" in page and "illisible" in page


def test_staff_see_the_verdict_and_the_signature_hint_beside_the_preview(client, staff, registration, current_copy):
    give_the_copy(registration, current_copy)
    piece = Piece.objects.get()
    log_in_with_second_factor(client, staff)
    page = page_text(client.get(reverse("admin:documents_piece_review", args=[piece.pk])))
    assert "Code QR : version 7, à jour." in page
    assert "Le cadre « Date et signature » contient de l'encre" in page
    Registration.objects.filter(pk=registration.pk).update(version=9)
    page = page_text(client.get(reverse("admin:documents_piece_review", args=[piece.pk])))
    assert "Code QR : version 7, ancienne ; version en vigueur : 9." in page


# --- The verification page ---------------------------------------------------------------------

def verification_address(registration, version):
    render_registration_documents.delay(registration.pk, version)
    document = GeneratedDocument.objects.get(registration=registration, kind=GeneratedDocumentKind.CONFIRMATION, version=version)
    assert document.verification_code == code_of(registration.number, version)
    return reverse("verify", args=[document.verification_code])


def test_anyone_learns_whether_a_code_is_the_current_version_and_nothing_personal(client, registration):
    address = verification_address(registration, 7)
    page = page_text(client.get(address))
    assert "est valide" in page and "c'est la version en vigueur" in page
    for personal in (registration.number, registration.candidate.last_name, registration.candidate.email):
        assert personal not in page
    Registration.objects.filter(pk=registration.pk).update(version=8)
    page = page_text(client.get(address))
    assert "correspond à une version dépassée" in page and "ce n'est plus la version en vigueur" in page


def test_a_cancelled_registrations_code_is_said_no_longer_in_force(client, registration):
    address = verification_address(registration, 7)
    Registration.objects.filter(pk=registration.pk).update(status="cancelled")
    page = page_text(client.get(address))
    assert "correspond à une inscription annulée" in page and "est valide" not in page


def test_an_unknown_code_is_said_unknown(client):
    response = client.get(reverse("verify", args=["AAAAA-AAAAA"]))
    assert response.status_code == 404 and "Code inconnu" in response.content.decode()
    assert client.get("/verifier/n'importe-quoi").status_code == 404


def test_staff_are_taken_to_the_registration(client, staff, registration):
    address = verification_address(registration, 7)
    log_in_with_second_factor(client, staff)
    response = client.get(address)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:exams_registration_change", args=[registration.pk])


def test_codes_cannot_be_tried_by_the_thousand(client):
    answers = [client.get(reverse("verify", args=[f"AAAAA-{n:05d}"])).status_code for n in range(31)]
    assert answers[:30] == [404] * 30 and answers[30] == 429


def test_the_confirmation_prints_the_box_and_code_where_the_reader_looks(registration):
    """The layout and the reader agree: the box found on the page is the one the QR code points to."""
    confirmation = confirmation_of(registration)
    page = photographs.rendered_page(confirmation)
    x0, y0, x1, y1 = photographs.signature_box(confirmation)
    assert read(confirmation, "application/pdf").signature_ink is False
    signed = photographs.sign(page, (x0, y0, x1, y1))
    buffer = io.BytesIO()
    signed.save(buffer, "PNG")
    assert read(buffer.getvalue(), "image/png").signature_ink is True


def test_the_standing_asks_for_the_current_version_instead_of_saying_complete(everything_but_the_copy, logged_in):
    """The overview and the dashboard do not say « complète » while the copy given is older."""
    from documents.progress import registration_standing

    registration = everything_but_the_copy
    Registration.objects.filter(pk=registration.pk).update(version=6)
    give_the_copy(registration, photo_of(confirmation_of(registration, version=6)))
    a_new_version_by(registration, registration.candidate)
    standing = registration_standing(Registration.objects.get(pk=registration.pk), at=OPEN)
    assert standing.case == "signed_copy_outdated"
    assert standing.line == "Ce document est la version 6 : vous avez modifié votre inscription depuis. Imprimez et signez la version 7."
    assert standing.next_step.url == reverse("documents:mine", args=[registration.pk])
    closed = registration_standing(Registration.objects.get(pk=registration.pk), at=registration.session.registration_closes_at
                                   + signed_copies_grace())
    assert closed.case == "signed_copy_outdated" and "votre candidature va être annulée" in closed.line
    with time_machine.travel(OPEN, tick=False):
        page = page_text(logged_in.get(reverse("documents:overview", args=[registration.pk])))
    assert "Imprimez et signez la version 7" in page


def test_no_hint_is_given_when_the_box_is_not_where_the_code_says(registration):
    """Located only by the code's corners, a box whose border is not found says nothing: a guess
    that takes the border itself for ink would tell staff an empty box is signed."""
    from PIL import ImageDraw

    confirmation = confirmation_of(registration)
    page = photographs.rendered_page(confirmation)
    x0, y0, x1, y1 = photographs.signature_box(confirmation)
    ImageDraw.Draw(page).rectangle((x0 - 12, y0 - 12, x1 + 12, y1 + 12), fill="white")  # no box printed
    buffer = io.BytesIO()
    page.save(buffer, "PNG")
    reading = read(buffer.getvalue(), "image/png")
    assert reading.mark.version == 7 and reading.signature_ink is None
