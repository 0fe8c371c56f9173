"""The lock and the deadline (documents/locking.py): « J'ai fourni toutes mes pièces » locks a
complete registration once, for good; after it only a piece staff asked to replace can change.
At 17:00 on the deadline, plus 15 minutes for uploads under way, the job locks what is complete
and cancels the rest."""

import html
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.urls import reverse

from candidates.models import Message
from documents.completeness import missing_pieces
from documents.locking import close_registrations, registration_finalize
from documents.models import Piece, PieceFile, PieceStatus
from documents.pieces import piece_upload
from documents.requirements import required_pieces
from exams.models import Registration
from exams.rules import registration_errors
from tests.documents.files import pdf_bytes, upload
from tests.documents.helpers import OPEN, give_every_piece
from tests.factories import RegistrationFactory, paris
from tests.text import french

pytestmark = pytest.mark.django_db

AFTER_GRACE = paris(2023, 11, 15, 17, 16)  # the deadline job waits 15 minutes after 17:00


def page(client, registration):
    with time_machine.travel(OPEN, tick=False):
        return html.unescape(client.get(reverse("documents:pieces", args=[registration.pk])).content.decode())


def finalize(client, registration, at=OPEN, confirm="yes"):
    with time_machine.travel(at, tick=False):
        return client.post(reverse("documents:finalize", args=[registration.pk]), {"confirm": confirm})


def test_the_button_is_inactive_while_a_piece_is_missing(logged_in, registration):
    assert '<button class="fr-btn" type="button" disabled>J\'ai fourni toutes mes pièces</button>' in page(logged_in, registration)


def test_the_button_is_active_when_every_piece_has_a_file(logged_in, complete):
    assert 'id="finalize"' in page(logged_in, complete)


def test_the_confirmation_page_says_nothing_can_be_changed_afterwards(logged_in, complete):
    with time_machine.travel(OPEN, tick=False):
        text = html.unescape(logged_in.get(reverse("documents:finalize", args=[complete.pk])).content.decode())
    assert "Aucune modification ne sera possible ensuite" in text


def test_locking_with_a_missing_piece_is_refused(logged_in, registration):
    assert finalize(logged_in, registration).status_code == 403
    registration.refresh_from_db()
    assert registration.status == "draft"


def test_locking_needs_the_box_ticked(logged_in, complete):
    finalize(logged_in, complete, confirm="")
    complete.refresh_from_db()
    assert complete.status == "draft"


def test_the_lock_is_final_and_emailed_once(logged_in, complete, run_on_commit):
    with run_on_commit():
        finalize(logged_in, complete)
        finalize(logged_in, complete)
    complete.refresh_from_db()
    assert complete.status == "locked" and complete.locked_at == OPEN
    assert [m.subject for m in mail.outbox] == [f"Inscription {complete.number} validée définitivement"]


def test_a_second_lock_says_the_registration_was_already_locked(logged_in, complete, run_on_commit):
    with run_on_commit(), time_machine.travel(OPEN, tick=False):
        logged_in.post(reverse("documents:finalize", args=[complete.pk]), {"confirm": "yes"}, follow=True)
        second = logged_in.post(reverse("documents:finalize", args=[complete.pk]), {"confirm": "yes"}, follow=True)
    text = html.unescape(second.content.decode())
    assert french("était déjà validée définitivement : rien n'a changé") in text and "Un courriel vous le confirme" not in text
    assert len(mail.outbox) == 1


class TestAfterTheLock:
    @pytest.fixture
    def locked(self, complete):
        assert registration_finalize(registration=complete, at=OPEN)
        complete.refresh_from_db()
        return complete

    def test_no_upload_button_is_left(self, logged_in, locked):
        text = page(logged_in, locked)
        assert "Téléverser" not in text and "Retirer" not in text
        assert "validée définitivement" in text

    def test_no_page_asks_any_more_how_to_give_a_piece(self, logged_in, locked):
        how_to_sign = french("Imprimez la confirmation de « Mes documents », vérifiez-la, datez-la et signez-la")
        assert how_to_sign not in page(logged_in, locked)
        with time_machine.travel(OPEN, tick=False):
            documents = html.unescape(logged_in.get(reverse("documents:mine", args=[locked.pk])).content.decode())
        assert how_to_sign not in documents and "Confirmation d'inscription datée et signée" in documents

    def test_a_piece_to_replace_says_again_how_to_give_it(self, logged_in, locked):
        Piece.objects.filter(registration=locked, piece_kind__code="confirmation").update(
            status=PieceStatus.TO_REPLACE, review_reason="Signature absente")
        assert french("Imprimez la confirmation de « Mes documents », vérifiez-la, datez-la et signez-la") in page(logged_in, locked)

    def test_an_upload_is_refused_with_a_french_403(self, logged_in, locked):
        with time_machine.travel(OPEN, tick=False):
            response = logged_in.post(reverse("documents:upload", args=[locked.pk, "identity"]), {"files": [upload("x.pdf", pdf_bytes())]})
        assert response.status_code == 403
        assert "validée définitivement ou annulée" in html.unescape(response.content.decode())
        assert PieceFile.objects.filter(piece__piece_kind__code="identity").count() == 1

    def test_removing_a_file_is_refused(self, logged_in, locked):
        piece_file = PieceFile.objects.first()
        with time_machine.travel(OPEN, tick=False):
            assert logged_in.post(reverse("documents:delete_file", args=[locked.pk, piece_file.pk])).status_code == 403
        assert PieceFile.objects.filter(pk=piece_file.pk).exists()

    def test_changing_an_answer_is_refused(self, logged_in, locked):
        with time_machine.travel(OPEN, tick=False):
            response = logged_in.post(reverse("exams:step", args=[locked.pk, "specialite"]), {"language": "italien"})
        assert response.status_code == 403
        locked.refresh_from_db()
        assert locked.language == "anglais"

    def test_a_piece_staff_asked_to_replace_can_be_replaced_until_their_date(self, logged_in, locked):
        piece = Piece.objects.get(registration=locked, piece_kind__code="identity")
        piece.status, piece.review_reason, piece.replace_until = PieceStatus.TO_REPLACE, "Illisible", paris(2023, 11, 20, 17)
        piece.save()
        assert "Illisible" in page(logged_in, locked)
        with time_machine.travel(paris(2023, 11, 18), tick=False):
            response = logged_in.post(reverse("documents:upload", args=[locked.pk, "identity"]), {"files": [upload("nette.pdf", pdf_bytes())]})
        assert response.status_code == 302
        piece.refresh_from_db()
        assert piece.status == PieceStatus.TO_REPLACE  # the candidate may add a verso before sending it back
        with time_machine.travel(paris(2023, 11, 18), tick=False):
            logged_in.post(reverse("documents:resubmit", args=[locked.pk, piece.pk]))
        piece.refresh_from_db()
        assert piece.status == PieceStatus.RECEIVED  # back in the review queue
        with time_machine.travel(paris(2023, 11, 18), tick=False):
            other = logged_in.post(reverse("documents:upload", args=[locked.pk, "confirmation"]), {"files": [upload("c.pdf", pdf_bytes())]})
        assert other.status_code == 403  # only that piece reopens

    def test_after_the_replacement_date_it_is_closed_again(self, logged_in, locked):
        Piece.objects.filter(registration=locked, piece_kind__code="identity").update(
            status=PieceStatus.TO_REPLACE, replace_until=paris(2023, 11, 20, 17))
        with time_machine.travel(paris(2023, 11, 20, 17, 1), tick=False):
            response = logged_in.post(reverse("documents:upload", args=[locked.pk, "identity"]), {"files": [upload("x.pdf", pdf_bytes())]})
        assert response.status_code == 403

    def test_the_address_can_still_change_and_the_rectorate_is_told(self, logged_in, candidate, locked, run_on_commit, settings):
        settings.DEC_EMAIL = "dec@ac-normandie.fr"
        data = {"last_name": "Martin", "first_name": "Camille", "birth_date": "2003-05-14", "address_line": "3 rue Neuve",
                "address_complement": "", "postal_code": "14000", "city": "Caen", "country": "France", "phone": ""}
        with run_on_commit():
            assert logged_in.post(reverse("candidates:account"), data).status_code == 302
        candidate.refresh_from_db()
        assert candidate.city == "Caen"
        staff_mail = [m for m in mail.outbox if m.to == ["dec@ac-normandie.fr"]]
        assert len(staff_mail) == 1 and "3 rue Neuve" in staff_mail[0].body and locked.number in staff_mail[0].body
        assert candidate.profile_changes.filter(after_lock=True, staff_notified_at__isnull=False).count() >= 1


def test_a_change_of_address_before_any_lock_tells_nobody(logged_in, candidate, registration, run_on_commit, settings):
    data = {"last_name": "Martin", "first_name": "Camille", "birth_date": "2003-05-14", "address_line": "3 rue Neuve",
            "address_complement": "", "postal_code": "14000", "city": "Caen", "country": "France", "phone": ""}
    with run_on_commit():
        logged_in.post(reverse("candidates:account"), data)
    assert mail.outbox == []


def test_ten_concurrent_lock_requests_make_one_lock_and_one_email(reference_data):
    registration = RegistrationFactory()
    give_every_piece(registration, OPEN)
    results, barrier = [], threading.Barrier(10)

    def click():
        try:
            barrier.wait()
            results.append(registration_finalize(registration=Registration.objects.get(pk=registration.pk), at=OPEN))
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 1
    assert Message.objects.filter(event_key=f"registration-locked:{registration.pk}").count() == 1
    assert Registration.objects.get(pk=registration.pk).status == "locked"


class TestDeadline:
    def test_at_the_deadline_complete_drafts_are_locked_and_the_others_cancelled(self, candidate, other_candidate, run_on_commit):
        complete = RegistrationFactory(candidate=candidate)
        give_every_piece(complete, OPEN)
        incomplete = RegistrationFactory(candidate=other_candidate)
        piece_upload(registration=incomplete, piece_kind=required_pieces(incomplete)[1].kind,
                     uploads=[upload("id.pdf", pdf_bytes())], at=OPEN)
        with run_on_commit():
            assert close_registrations(at=AFTER_GRACE) == (1, 1)
        complete.refresh_from_db(), incomplete.refresh_from_db()
        assert complete.status == "locked" and incomplete.status == "cancelled"
        cancelled_mail = next(m for m in mail.outbox if "annulée" in m.subject)
        assert "Confirmation d'inscription datée et signée" in cancelled_mail.body
        assert "Pièce d'identité" not in cancelled_mail.body

    def test_running_it_again_changes_nothing_and_sends_nothing(self, registration, run_on_commit):
        with run_on_commit():
            close_registrations(at=AFTER_GRACE)
            assert close_registrations(at=AFTER_GRACE) == (0, 0)
        assert len(mail.outbox) == 1

    def test_nothing_happens_before_17_00_01(self, registration):
        assert close_registrations(at=paris(2023, 11, 15, 17, 0), grace=timedelta(0)) == (0, 0)
        assert close_registrations(at=paris(2023, 11, 15, 17, 0, 1), grace=timedelta(0)) == (0, 1)

    def test_the_command_waits_the_same_15_minutes_as_the_task(self, registration):
        from django.core.management import call_command

        with time_machine.travel(paris(2023, 11, 15, 17, 14), tick=False):
            call_command("close_registrations")
        registration.refresh_from_db()
        assert registration.status == "draft"
        with time_machine.travel(paris(2023, 11, 15, 17, 15, 1), tick=False):
            call_command("close_registrations")
        registration.refresh_from_db()
        assert registration.status == "cancelled"

    def test_the_task_waits_15_minutes_for_uploads_under_way(self, registration):
        from documents.tasks import close_registrations_task

        with time_machine.travel(paris(2023, 11, 15, 17, 14), tick=False):
            assert close_registrations_task.delay().get() == (0, 0)
        with time_machine.travel(paris(2023, 11, 15, 17, 16), tick=False):
            assert close_registrations_task.delay().get() == (0, 1)

    def test_the_command_prints_what_it_did(self, registration, capsys):
        from django.core.management import call_command

        with time_machine.travel(paris(2023, 11, 16), tick=False):
            call_command("close_registrations")
        assert "0 inscription(s) validée(s), 1 candidature(s) annulée(s)." in capsys.readouterr().out

    def test_an_upload_that_reached_the_portal_at_16_59_59_is_accepted(self, registration):
        piece_upload(registration=registration, piece_kind=required_pieces(registration)[1].kind,
                     uploads=[upload("id.pdf", pdf_bytes())], at=paris(2023, 11, 15, 16, 59, 59))
        assert PieceFile.objects.count() == 1

    def test_an_upload_that_starts_after_17_00_is_refused_with_the_deadline(self, logged_in, registration):
        with time_machine.travel(paris(2023, 11, 15, 17, 0, 1), tick=False):
            response = logged_in.post(reverse("documents:upload", args=[registration.pk, "identity"]), {"files": [upload("id.pdf", pdf_bytes())]})
        assert response.status_code == 403
        assert "15 novembre 2023 à 17h00" in html.unescape(response.content.decode())
        assert not PieceFile.objects.exists()


def test_the_deadline_job_reads_each_sessions_matrix_once_whatever_the_number_of_drafts(django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(5):
        RegistrationFactory()
    with CaptureQueriesContext(connection) as queries:
        assert close_registrations(at=AFTER_GRACE) == (0, 5)
    matrix_reads = [q for q in queries if 'FROM "documents_requirement"' in q["sql"]]
    assert len(matrix_reads) == 1


@pytest.fixture
def unfinished_form_every_piece(registration):
    give_every_piece(registration, OPEN)
    Registration.objects.filter(pk=registration.pk).update(language="")  # the language step never answered
    registration.refresh_from_db()
    assert missing_pieces(registration) == [] and "language" in registration_errors(registration)
    return registration


def test_the_deadline_job_cancels_a_draft_whose_form_is_incomplete_even_with_all_its_pieces(unfinished_form_every_piece,
                                                                                          run_on_commit):
    with run_on_commit():
        assert close_registrations(at=AFTER_GRACE) == (0, 1)
    unfinished_form_every_piece.refresh_from_db()
    assert unfinished_form_every_piece.status == "cancelled" and unfinished_form_every_piece.locked_at is None
    [sent] = [m for m in mail.outbox if "annulée" in m.subject]
    assert "Le formulaire d'inscription n'avait pas été terminé." in sent.body
