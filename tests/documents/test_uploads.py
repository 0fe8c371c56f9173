import hashlib
import html

import pytest
import time_machine
from django.urls import reverse

from documents.models import Piece, PieceFile
from tests.documents.files import image_bytes, pdf_bytes, pdf_of_exactly, upload
from tests.documents.helpers import stored_files
from tests.factories import paris
from tests.portal.helpers import log_in_with_second_factor

pytestmark = pytest.mark.django_db

OPEN = paris(2023, 11, 1, 10)


def post(client, registration, files, kind="identity", xhr=False, **data):
    headers = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"} if xhr else {}
    with time_machine.travel(OPEN, tick=False):
        return client.post(reverse("documents:upload", args=[registration.pk, kind]), {"files": files, **data}, **headers)


BAD_FILES = [
    ("an executable renamed .pdf", "carte.pdf", b"MZ\x90\x00" + b"\x00" * 500, "n'est ni un PDF, ni une image JPEG ou PNG"),
    ("a PNG named .pdf", "carte.pdf", image_bytes("PNG"), "ne correspond pas à son contenu, qui est un fichier PNG"),
    ("an empty file", "carte.pdf", b"", "est vide (0 octet)"),
    ("an encrypted PDF", "carte.pdf", pdf_bytes(password="secret"), "protégé par un mot de passe"),
    ("a truncated PDF", "carte.pdf", pdf_bytes(pages=3)[:-300], "incomplet (fichier tronqué)"),
    ("a truncated JPEG", "photo.jpg", image_bytes("JPEG", (1200, 900))[:2000], "image endommagée ou incomplète"),
    ("a name with an emoji", "carte 😀.pdf", pdf_bytes(), "contient un caractère non accepté"),
]


@pytest.mark.parametrize(("case", "name", "content", "message"), BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_a_bad_file_gets_its_message_and_leaves_nothing(logged_in, registration, private_media, case, name, content, message):
    response = post(logged_in, registration, [upload(name, content)], xhr=True)
    assert response.status_code == 400
    assert message in response.json()["message"]
    assert not Piece.objects.exists() and not PieceFile.objects.exists()
    assert stored_files(private_media) == []


def test_a_file_of_10_mb_and_one_byte_is_refused(logged_in, registration, private_media, settings):
    content = pdf_bytes()
    oversized = content + b"%" * (settings.UPLOAD_MAX_BYTES + 1 - len(content))
    response = post(logged_in, registration, [upload("carte.pdf", oversized)], xhr=True)
    assert "la limite est de 10,0 Mo par fichier" in response.json()["message"]
    assert not PieceFile.objects.exists() and stored_files(private_media) == []


def test_a_file_of_exactly_10_mb_is_accepted(logged_in, registration, settings):
    exact = pdf_of_exactly(settings.UPLOAD_MAX_BYTES)
    assert post(logged_in, registration, [upload("carte.pdf", exact)], xhr=True).status_code == 200


def test_a_name_with_a_path_is_refused_by_the_check(registration):
    from documents.uploads import UploadRejected, inspect_upload

    class RawName:  # Django's own upload classes already cut the path: check the name as received
        name, size = "../../etc/carte.pdf", 100

    with pytest.raises(UploadRejected, match="ni chemin ni « .. »"):
        inspect_upload(RawName())


def test_a_crafted_path_in_the_request_cannot_leave_the_upload_folder(logged_in, registration, private_media):
    # Django's multipart parser keeps only the last part of a name; the file is then stored
    # under a random name inside the private folder, whatever it was called.
    post(logged_in, registration, [upload("../../etc/carte.pdf", pdf_bytes())])
    piece_file = PieceFile.objects.get()
    assert piece_file.original_name == "carte.pdf"
    assert all(private_media in path.parents for path in stored_files(private_media))


def test_one_bad_file_among_good_ones_stores_none(logged_in, registration, private_media):
    post(logged_in, registration, [upload("recto.pdf", pdf_bytes()), upload("verso.pdf", b"")])
    assert not PieceFile.objects.exists() and stored_files(private_media) == []


def test_without_javascript_the_error_comes_back_on_the_page(logged_in, registration):
    response = post(logged_in, registration, [upload("carte.pdf", b"")])
    page = html.unescape(logged_in.get(response["Location"]).content.decode())
    assert "est vide (0 octet)" in page


@pytest.mark.parametrize(("name", "content", "content_type"), [
    ("carte-identité.pdf", pdf_bytes(), "application/pdf"),
    ("Recto (1).JPG", image_bytes("JPEG"), "image/jpeg"),
    ("scan_verso.png", image_bytes("PNG"), "image/png"),
])
def test_a_good_file_is_stored_under_a_random_name_with_size_and_hash(logged_in, registration, name, content, content_type):
    assert post(logged_in, registration, [upload(name, content)], xhr=True).status_code == 200
    piece_file = PieceFile.objects.get()
    assert piece_file.original_name == name
    assert piece_file.content_type == content_type
    assert piece_file.size == len(content)
    assert piece_file.sha256 == hashlib.sha256(content).hexdigest()
    assert name.split(".")[0] not in piece_file.file.name
    assert piece_file.piece.status == "received"


def test_photos_of_front_and_back_become_one_pdf(logged_in, registration):
    post(logged_in, registration, [upload("recto.jpg", image_bytes()), upload("verso.png", image_bytes("PNG"))], combine="on")
    piece_file = PieceFile.objects.get()
    assert piece_file.content_type == "application/pdf"
    from pypdf import PdfReader

    with piece_file.file.open("rb") as handle:
        assert len(PdfReader(handle).pages) == 2


def test_a_piece_the_registration_does_not_need_is_404(logged_in, registration):
    assert post(logged_in, registration, [upload("r408.pdf", pdf_bytes())], kind="r408").status_code == 404


class TestDownload:
    @pytest.fixture
    def piece_file(self, logged_in, registration):
        post(logged_in, registration, [upload("carte.pdf", pdf_bytes())])
        return PieceFile.objects.get()

    def test_the_owner_downloads_it_as_an_attachment_never_sniffed(self, logged_in, piece_file):
        response = logged_in.get(reverse("documents:file", args=[piece_file.pk]))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] == "application/pdf"

    def test_another_candidate_gets_404(self, client, other_candidate, piece_file):
        client.force_login(other_candidate)
        assert client.get(reverse("documents:file", args=[piece_file.pk])).status_code == 404

    def test_an_anonymous_visitor_is_sent_to_login(self, client, piece_file):
        client.logout()
        response = client.get(reverse("documents:file", args=[piece_file.pk]))
        assert response.status_code == 302 and reverse("candidates:login") in response["Location"]

    def test_staff_download_it(self, client, staff, piece_file):
        log_in_with_second_factor(client, staff)
        assert client.get(reverse("documents:file", args=[piece_file.pk])).status_code == 200

    def test_behind_nginx_it_is_an_x_accel_redirect(self, logged_in, piece_file, settings):
        settings.PRIVATE_FILES_X_ACCEL_PREFIX = "/protected/"
        response = logged_in.get(reverse("documents:file", args=[piece_file.pk]))
        assert response["X-Accel-Redirect"] == "/protected/" + piece_file.file.name

    def test_another_candidate_cannot_remove_it(self, client, other_candidate, registration, piece_file):
        client.force_login(other_candidate)
        with time_machine.travel(OPEN, tick=False):
            response = client.post(reverse("documents:delete_file", args=[registration.pk, piece_file.pk]))
        assert response.status_code == 404
        assert PieceFile.objects.filter(pk=piece_file.pk).exists()

    def test_the_owner_removes_it_before_the_lock(self, logged_in, registration, piece_file, private_media, django_capture_on_commit_callbacks):
        with time_machine.travel(OPEN, tick=False), django_capture_on_commit_callbacks(execute=True):
            logged_in.post(reverse("documents:delete_file", args=[registration.pk, piece_file.pk]))
        assert not PieceFile.objects.exists()
        assert stored_files(private_media) == []
        # The piece itself stays, with no file: it counts as missing again.
        assert Piece.objects.get().files.count() == 0
        registration.refresh_from_db()
        assert registration.pieces_missing == 2


def test_mes_justificatifs_runs_a_fixed_number_of_queries_with_12_pieces(client, candidate):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from documents.pieces import piece_upload
    from exams.models import Specialty
    from tests.factories import RegistrationFactory

    ms = Specialty.objects.get(code="MS")
    full = RegistrationFactory(candidate=candidate, pathway="apprentissage", apprenticeship_contract_years=2, training_hours=1400,
                               specialty=ms, option=ms.options.get(code="B"), engagement_etudiant=True, claims_dispenses=True,
                               keeps_grade_benefits=True, renounces_benefits=True, has_positioning_decision=True,
                               has_internship_derogation=True)
    from documents.requirements import required_pieces

    pieces = required_pieces(full)
    assert len(pieces) == 12
    client.force_login(candidate)
    counts = []
    for given, already in ((1, 0), (12, 1)):
        for required in pieces[already:given]:
            piece_upload(registration=full, piece_kind=required.kind, uploads=[upload("p.pdf", pdf_bytes())], at=OPEN)
        with time_machine.travel(OPEN, tick=False):
            client.get(reverse("documents:pieces", args=[full.pk]))  # fills the caches: the steady state is measured
        with CaptureQueriesContext(connection) as queries:
            with time_machine.travel(OPEN, tick=False):
                assert client.get(reverse("documents:pieces", args=[full.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
