"""Every uploaded file is scanned by clamd after commit; only a clean file is ever served.

Most tests fake clamd's verdict (`verdict` fixture) to pin the rules; the `clamd` tests talk to
the real daemon that .ci/run starts with the EICAR test signature.
"""

import html
import io
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from candidates.models import Message
from documents import antivirus
from documents.antivirus import ScanUnavailable, Verdict
from documents.completeness import RegistrationIncomplete
from documents.locking import close_registrations, registration_finalize
from documents.models import Piece, PieceFile, PieceKind, PieceStatus, ScanStatus
from documents.pieces import piece_upload
from documents.requirements import required_pieces
from documents.review import ReviewRefused, next_piece_to_review, piece_review
from documents.scanning import files_requeue_unscanned, piece_file_scan
from documents.tasks import scan_piece_file
from tests.documents.files import eicar_bytes, pdf_bytes, pdf_carrying_eicar, upload
from tests.documents.helpers import give_every_piece, stored_files
from tests.factories import paris
from tests.portal.helpers import log_in_with_second_factor
from tests.text import french

pytestmark = pytest.mark.django_db

OPEN = paris(2023, 11, 1, 10)
INFECTED = Verdict(infected=True, signature="Eicar-Test-Signature")
CLEAN = Verdict(infected=False)


@pytest.fixture
def scanning(settings):
    """Scanning on; what clamd answers is set by `verdict`."""
    settings.CLAMD_URL = "tcp://127.0.0.1:3310"


@pytest.fixture
def verdict(monkeypatch, scanning):
    """clamd's answer, faked: set `verdict.answer`; `verdict.scanned` lists what was streamed."""

    class FakeClamd:
        answer = CLEAN
        scanned = []

        def scan(self, stream):
            self.scanned.append(stream.read())
            if isinstance(self.answer, Exception):
                raise self.answer
            return self.answer

    fake = FakeClamd()
    fake.scanned = []
    monkeypatch.setattr(antivirus, "scan", fake.scan)
    return fake


def upload_identity(registration, content=None):
    kind = PieceKind.objects.get(code="identity")
    return piece_upload(registration=registration, piece_kind=kind, uploads=[upload("carte.pdf", content or pdf_bytes())], at=OPEN)[0]


def post_upload(client, registration, content):
    with time_machine.travel(OPEN, tick=False):
        return client.post(reverse("documents:upload", args=[registration.pk, "identity"]),
                           {"files": [upload("carte.pdf", content)]}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")


def pieces_page(client, registration):
    with time_machine.travel(OPEN, tick=False):
        return html.unescape(client.get(reverse("documents:pieces", args=[registration.pk])).content.decode())


class TestWhileTheScanRuns:
    def test_a_new_file_waits_for_the_antivirus(self, scanning, registration):
        piece_file = upload_identity(registration)
        assert piece_file.scan_status == ScanStatus.PENDING and not piece_file.can_be_served

    def test_its_owner_cannot_download_it_yet_and_sees_why(self, scanning, logged_in, registration):
        piece_file = upload_identity(registration)
        assert logged_in.get(reverse("documents:file", args=[piece_file.pk])).status_code == 404
        assert "Analyse antivirus en cours" in pieces_page(logged_in, registration)

    def test_staff_neither_preview_it_nor_find_it_in_the_queue(self, scanning, client, staff, registration):
        piece_file = upload_identity(registration)
        log_in_with_second_factor(client, staff)
        assert client.get(reverse("admin:documents_piece_preview", args=[piece_file.pk])).status_code == 404
        assert client.get(reverse("documents:file", args=[piece_file.pk])).status_code == 404
        assert next_piece_to_review() is None
        with pytest.raises(ReviewRefused, match="analyse antivirus"):
            piece_review(piece=piece_file.piece, accept=True, by=staff)

    def test_the_final_lock_waits_for_the_scan(self, scanning, registration):
        give_every_piece(registration, OPEN)
        with pytest.raises(RegistrationIncomplete, match="analyse antivirus"):
            registration_finalize(registration=registration, at=OPEN)
        registration.refresh_from_db()
        assert registration.status == "draft"

    def test_the_deadline_job_counts_a_file_being_scanned_as_given(self, scanning, registration):
        """clamd slow or down at 17:00 must not cancel a candidate who uploaded everything."""
        give_every_piece(registration, OPEN)
        closes = registration.session.registration_closes_at
        assert close_registrations(at=closes + timedelta(minutes=16), grace=timedelta(minutes=15)) == (1, 0)


class TestTheVerdict:
    def test_the_scan_runs_after_commit_and_a_clean_file_is_then_served(self, verdict, logged_in, registration, run_on_commit):
        content = pdf_bytes(pages=2)
        with run_on_commit():
            assert post_upload(logged_in, registration, content).status_code == 200
        piece_file = PieceFile.objects.get()
        assert verdict.scanned == [content]
        assert piece_file.scan_status == ScanStatus.CLEAN and piece_file.scanned_at is not None
        assert logged_in.get(reverse("documents:file", args=[piece_file.pk])).status_code == 200
        assert next_piece_to_review() == piece_file.piece

    def test_an_infected_file_is_deleted_and_the_candidate_told_to_upload_another(
            self, verdict, logged_in, registration, run_on_commit, private_media):
        verdict.answer = INFECTED
        with time_machine.travel(OPEN, tick=False), run_on_commit():
            post_upload(logged_in, registration, pdf_bytes())
        piece_file = PieceFile.objects.get()
        piece = Piece.objects.get()
        assert piece_file.scan_status == ScanStatus.INFECTED and piece_file.scan_signature == "Eicar-Test-Signature"
        assert stored_files(private_media) == [], "the infected content is gone from storage"
        assert piece.status == PieceStatus.TO_REPLACE and "menace" in piece.review_reason
        # the later of the registration deadline (15 November, 17:00) and a week from now (8 November)
        assert piece.replace_until == registration.session.registration_closes_at == paris(2023, 11, 15, 17)
        assert [m.subject for m in mail.outbox] == [french("Fichier refusé par l'antivirus : Pièce d'identité")]
        text = pieces_page(logged_in, registration)
        assert french("Menace détectée : fichier supprimé") in text
        assert french("Cette pièce est à remplacer : l'antivirus a détecté une menace dans le fichier « carte.pdf »") in text
        assert logged_in.get(reverse("documents:file", args=[piece_file.pk])).status_code == 404
        registration.refresh_from_db()
        assert registration.pieces_missing == len(required_pieces(registration)), "an infected file counts for nothing"

    def test_staff_never_see_an_infected_file(self, verdict, client, staff, registration, run_on_commit):
        verdict.answer = INFECTED
        with run_on_commit():
            piece_file = upload_identity(registration, pdf_bytes())
        log_in_with_second_factor(client, staff)
        review = html.unescape(client.get(reverse("admin:documents_piece_review", args=[piece_file.piece_id])).content.decode())
        assert "carte.pdf" not in review and reverse("admin:documents_piece_preview", args=[piece_file.pk]) not in review
        assert "écarté par l'antivirus" in review
        registration_page = client.get(reverse("admin:exams_registration_change", args=[registration.pk])).content.decode()
        assert reverse("documents:file", args=[piece_file.pk]) not in registration_page
        assert client.get(reverse("admin:documents_piece_preview", args=[piece_file.pk])).status_code == 404
        assert next_piece_to_review() is None

    def test_a_new_upload_after_an_infected_one_goes_back_to_review(self, verdict, registration, run_on_commit):
        verdict.answer = INFECTED
        with run_on_commit():
            upload_identity(registration)
        verdict.answer = CLEAN
        with run_on_commit():
            upload_identity(registration)
        assert Piece.objects.get().status == PieceStatus.RECEIVED
        assert next_piece_to_review() == Piece.objects.get()

    def test_a_scan_delivered_twice_scans_once_and_emails_once(self, verdict, registration, run_on_commit):
        verdict.answer = INFECTED
        piece_file = upload_identity(registration)
        with run_on_commit():
            assert piece_file_scan(file_id=piece_file.pk, at=OPEN) == INFECTED
            assert piece_file_scan(file_id=piece_file.pk, at=OPEN) is None
        assert len(verdict.scanned) == 1
        assert Message.objects.filter(event_key=f"piece-infected:{piece_file.pk}").count() == 1 and len(mail.outbox) == 1

    def test_while_clamd_does_not_answer_the_file_stays_pending_and_the_task_retries(self, verdict, registration):
        verdict.answer = ScanUnavailable("Connection refused")
        piece_file = upload_identity(registration)
        with pytest.raises(ScanUnavailable):
            piece_file_scan(file_id=piece_file.pk)
        scan_piece_file.apply(args=[piece_file.pk])
        assert len(verdict.scanned) == 2 + scan_piece_file.max_retries  # the direct call, then the task and its retries
        piece_file.refresh_from_db()
        assert piece_file.scan_status == ScanStatus.PENDING


class TestTheNightlySweep:
    @pytest.fixture
    def queued(self, monkeypatch):
        ids = []
        monkeypatch.setattr(scan_piece_file, "delay", ids.append)
        return ids

    def test_it_queues_scans_older_than_30_minutes_and_files_stored_while_scanning_was_off(
            self, settings, registration, queued, run_on_commit):
        unscanned = upload_identity(registration)  # scanning off
        settings.CLAMD_URL = "tcp://127.0.0.1:3310"
        with run_on_commit():
            stale = upload_identity(registration)
            fresh = upload_identity(registration)
        queued.clear()
        PieceFile.objects.filter(pk=stale.pk).update(uploaded_at=OPEN - timedelta(minutes=31))
        PieceFile.objects.filter(pk=fresh.pk).update(uploaded_at=OPEN - timedelta(minutes=29))
        PieceFile.objects.filter(pk=unscanned.pk).update(uploaded_at=OPEN - timedelta(days=3))
        with run_on_commit():
            assert files_requeue_unscanned(at=OPEN) == 2
        assert sorted(queued) == sorted([stale.pk, unscanned.pk])
        unscanned.refresh_from_db()
        assert unscanned.scan_status == ScanStatus.PENDING

    def test_a_file_stored_unscanned_minutes_ago_is_queued_too(self, settings, registration, queued, run_on_commit):
        """Once pending it is served to nobody, so it cannot wait for the next night."""
        recent = upload_identity(registration)  # scanning off
        settings.CLAMD_URL = "tcp://127.0.0.1:3310"
        PieceFile.objects.filter(pk=recent.pk).update(uploaded_at=OPEN - timedelta(minutes=5))
        with run_on_commit():
            assert files_requeue_unscanned(at=OPEN) == 1
        assert queued == [recent.pk]

    def test_with_scanning_off_it_does_nothing(self, registration, queued):
        upload_identity(registration)
        assert files_requeue_unscanned(at=OPEN + timedelta(days=1)) == 0 and queued == []


class TestScanningOff:
    def test_files_are_stored_unscanned_and_served(self, logged_in, registration):
        piece_file = upload_identity(registration)
        assert piece_file.scan_status == ScanStatus.UNSCANNED
        assert logged_in.get(reverse("documents:file", args=[piece_file.pk])).status_code == 200

    def test_every_admin_page_warns(self, staff_client):
        for url in (reverse("admin:index"), reverse("admin:documents_piece_changelist"), reverse("admin-dashboard")):
            assert "Antivirus désactivé" in html.unescape(staff_client.get(url).content.decode()), url

    def test_no_warning_once_scanning_is_on(self, scanning, staff_client):
        assert "Antivirus désactivé" not in html.unescape(staff_client.get(reverse("admin:index")).content.decode())

    def test_the_health_page_says_whether_clamd_answers(self, staff_client, settings):
        assert staff_client.get("/sante/").json()["antivirus"] == "off"
        settings.CLAMD_URL = "tcp://127.0.0.1:1"  # nothing listens there
        assert staff_client.get("/sante/").json()["antivirus"] == "unreachable"


class TestClamdAddress:
    def test_tcp_and_unix_addresses(self, settings):
        settings.CLAMD_URL = "tcp://clamav:3311"
        client = antivirus.clamd_client()
        assert (client.host, client.port) == ("clamav", 3311)
        settings.CLAMD_URL = "unix:///run/clamav/clamd.ctl"
        assert antivirus.clamd_client().unix_socket == "/run/clamav/clamd.ctl"

    def test_a_malformed_address_is_a_configuration_error(self, settings):
        settings.CLAMD_URL = "clamav:3310"
        with pytest.raises(ImproperlyConfigured, match="CLAMD_URL"):
            antivirus.clamd_client()


class TestWithTheRealClamd:
    def test_clamd_finds_the_eicar_test_file(self, clamd):
        found = antivirus.scan(io.BytesIO(eicar_bytes()))
        assert found.infected and "Eicar" in found.signature
        assert antivirus.scan(io.BytesIO(pdf_bytes())) == CLEAN

    def test_an_uploaded_eicar_file_is_refused(self, clamd, logged_in, registration, run_on_commit, private_media):
        """The EICAR file inside a PDF passes the content checks; clamd, after commit, refuses it."""
        with run_on_commit():
            answer = post_upload(logged_in, registration, pdf_carrying_eicar())
        assert answer.status_code == 200
        piece_file = PieceFile.objects.get()
        assert piece_file.scan_status == ScanStatus.INFECTED and "Eicar" in piece_file.scan_signature
        assert stored_files(private_media) == []
        assert french("Menace détectée : fichier supprimé") in pieces_page(logged_in, registration)
        assert logged_in.get(reverse("documents:file", args=[piece_file.pk])).status_code == 404

    def test_a_clean_upload_passes(self, clamd, logged_in, registration, run_on_commit):
        with run_on_commit():
            post_upload(logged_in, registration, pdf_bytes())
        assert PieceFile.objects.get().scan_status == ScanStatus.CLEAN
