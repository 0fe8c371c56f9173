"""Staff review of pieces (documents/review.py) in admin: who may do what, the decision and its
audit, the queue oldest first, and the list of registrations with the state of their pieces."""

import html

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from documents.locking import registration_finalize
from documents.models import Piece, PieceStatus, RejectionReason
from documents.review import piece_review, review_reason_text
from tests.documents.files import pdf_bytes, upload
from tests.documents.helpers import give_every_piece
from tests.factories import RegistrationFactory, StaffFactory, paris
from tests.portal.helpers import log_in_with_second_factor
from tests.text import french

pytestmark = pytest.mark.django_db

OPEN = paris(2023, 11, 1, 10)


@pytest.fixture
def locked(registration):
    give_every_piece(registration, OPEN)
    registration_finalize(registration=registration, at=OPEN)
    registration.refresh_from_db()
    return registration


def identity(registration):
    return Piece.objects.get(registration=registration, piece_kind__code="identity")


DECIDED_AT = paris(2023, 11, 16, 9)


def decide(client, piece, decision, at=DECIDED_AT, **data):
    """Post a decision; `at=None` keeps the real clock (the staff session's idle timer follows it)."""
    url = reverse("admin:documents_piece_review", args=[piece.pk])
    if at is None:
        return client.post(url, {"decision": decision, **data})
    with time_machine.travel(at, tick=False):
        return client.post(url, {"decision": decision, **data})


class TestRoles:
    def test_a_staff_member_without_the_group_sees_nothing(self, client):
        log_in_with_second_factor(client, StaffFactory())
        index = client.get(reverse("admin:index")).content.decode()
        assert "Inscriptions" not in index.split('id="content-main"')[1][:2000]
        assert client.get(reverse("admin:exams_registration_changelist")).status_code == 403
        assert client.get(reverse("admin:documents_piece_queue")).status_code == 403
        assert client.get(reverse("admin-dashboard")).status_code == 403

    def test_the_group_views_registrations_and_reviews_pieces_but_deletes_nothing(self, dec_staff_client, locked):
        assert dec_staff_client.get(reverse("admin:exams_registration_changelist")).status_code == 200
        assert dec_staff_client.get(reverse("admin:documents_piece_review", args=[identity(locked).pk])).status_code == 200
        assert dec_staff_client.get(reverse("admin:exams_registration_delete", args=[locked.pk])).status_code == 403
        assert dec_staff_client.get(reverse("admin:candidates_user_add")).status_code == 403

    def test_without_the_second_factor_admin_asks_for_it(self, client, dec_staff):
        client.force_login(dec_staff)
        response = client.get(reverse("admin:exams_registration_changelist"))
        assert response.status_code == 302 and reverse("admin:login") in response["Location"]
        login_page = client.get(reverse("admin:login")).content.decode()
        assert 'name="otp_token"' in login_page

    def test_staff_files_need_the_second_factor_too(self, client, dec_staff, locked):
        piece_file = identity(locked).files.get()
        client.force_login(dec_staff)
        assert client.get(reverse("documents:file", args=[piece_file.pk])).status_code == 404
        log_in_with_second_factor(client, dec_staff)
        assert client.get(reverse("documents:file", args=[piece_file.pk])).status_code == 200


class TestReview:
    def test_conforme_accepts_the_piece_and_records_who(self, dec_staff_client, dec_staff, locked):
        decide(dec_staff_client, identity(locked), "accept")
        piece = identity(locked)
        assert piece.status == PieceStatus.ACCEPTED and piece.reviewed_by == dec_staff

    def test_a_replacement_needs_a_reason(self, dec_staff_client, locked):
        decide(dec_staff_client, identity(locked), "replace")
        assert identity(locked).status == PieceStatus.RECEIVED

    def test_a_rejected_piece_reopens_only_itself_after_the_lock(self, dec_staff_client, client, candidate, locked, run_on_commit):
        reason = RejectionReason.objects.get(label="Pièce d'identité expirée")
        with run_on_commit():
            decide(dec_staff_client, identity(locked), "replace", reasons=[reason.pk], comment="Carte expirée en 2022.",
                   replace_until="2023-11-30T17:00")
        piece = identity(locked)
        assert piece.status == PieceStatus.TO_REPLACE
        assert piece.review_reason == "Pièce d'identité expirée. Carte expirée en 2022."
        # The candidate is told by email and in the portal.
        assert "Pièce d'identité expirée" in mail.outbox[-1].body and "30 novembre 2023 à 17h00" in mail.outbox[-1].body
        assert locked.candidate.messages.filter(subject__startswith="Pièce à remplacer").exists()
        client.force_login(candidate)
        with time_machine.travel(paris(2023, 11, 20), tick=False):
            page = html.unescape(client.get(reverse("documents:pieces", args=[locked.pk])).content.decode())
            assert "Carte expirée en 2022." in page
            replaced = client.post(reverse("documents:upload", args=[locked.pk, "identity"]), {"files": [upload("cni.pdf", pdf_bytes())]})
            other = client.post(reverse("documents:upload", args=[locked.pk, "confirmation"]), {"files": [upload("c.pdf", pdf_bytes())]})
            client.post(reverse("documents:resubmit", args=[locked.pk, identity(locked).pk]))
        assert replaced.status_code == 302 and other.status_code == 403
        # The replacement goes back to the queue, and the audit lists each step.
        piece = identity(locked)
        assert piece.status == PieceStatus.RECEIVED
        assert [h.status for h in piece.history.order_by("history_id")] == ["received", "to_replace", "received"]
        assert piece.history.filter(status="to_replace").get().history_user.email == "gestionnaire@ac-normandie.fr"

    def test_the_queue_takes_the_oldest_piece_first_then_the_next(self, dec_staff_client, locked):
        pieces = list(Piece.objects.filter(status="received").order_by("updated_at", "pk"))
        Piece.objects.filter(pk=pieces[1].pk).update(updated_at=paris(2023, 10, 20))
        response = dec_staff_client.get(reverse("admin:documents_piece_queue"))
        assert response["Location"] == reverse("admin:documents_piece_review", args=[pieces[1].pk])
        after = decide(dec_staff_client, pieces[1], "accept", at=None)
        assert after["Location"] == reverse("admin:documents_piece_queue")
        assert dec_staff_client.get(after["Location"])["Location"] == reverse("admin:documents_piece_review", args=[pieces[0].pk])

    def test_an_empty_queue_says_so(self, dec_staff_client):
        response = dec_staff_client.get(reverse("admin:documents_piece_queue"), follow=True)
        assert "Aucune pièce n&#x27;attend de contrôle." in response.content.decode()

    def test_two_decisions_on_one_piece_make_one(self, dec_staff, locked):
        piece = identity(locked)
        piece_review(piece=piece, accept=True, by=dec_staff, at=OPEN)
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            piece_review(piece=piece, accept=False, comment="Illisible", by=dec_staff, at=OPEN)
        assert identity(locked).status == PieceStatus.ACCEPTED

    def test_the_review_page_previews_pdf_and_images_in_the_page(self, dec_staff_client, locked):
        piece = identity(locked)
        piece_file = piece.files.get()
        page = dec_staff_client.get(reverse("admin:documents_piece_review", args=[piece.pk])).content.decode()
        assert f'<iframe src="{reverse("admin:documents_piece_preview", args=[piece_file.pk])}"' in page
        preview = dec_staff_client.get(reverse("admin:documents_piece_preview", args=[piece_file.pk]))
        assert preview["Content-Disposition"] == "inline" and preview["X-Frame-Options"] == "SAMEORIGIN"
        assert "sandbox" in preview["Content-Security-Policy"]

    def test_nobody_can_revert_or_edit_the_audit(self, staff_client, locked):
        piece = identity(locked)
        history_id = piece.history.first().history_id
        url = reverse("admin:documents_piece_simple_history", args=[piece.pk, history_id])
        staff_client.post(url, {})
        assert identity(locked).status == PieceStatus.RECEIVED
        assert staff_client.get(reverse("admin:documents_piece_history", args=[piece.pk])).status_code == 200


class TestRegistrationList:
    def test_filters_complete_and_awaiting_review(self, dec_staff_client, locked, other_candidate):
        RegistrationFactory(candidate=other_candidate, number="2024-777777")
        url = reverse("admin:exams_registration_changelist")
        assert locked.number in dec_staff_client.get(url + "?complet=oui").content.decode()
        assert "2024-777777" not in dec_staff_client.get(url + "?complet=oui").content.decode()
        assert "2024-777777" in dec_staff_client.get(url + "?complet=non").content.decode()
        assert locked.number in dec_staff_client.get(url + "?a_controler=oui").content.decode()

    def test_search_by_name_email_and_number(self, dec_staff_client, locked):
        url = reverse("admin:exams_registration_changelist")
        for query in [locked.number, "camille.martin@exemple.fr", "Martin"]:
            assert locked.number in dec_staff_client.get(url, {"q": query}).content.decode()

    def test_the_list_runs_the_same_queries_for_3_and_30_registrations(self, dec_staff_client):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        dec_staff_client.get(reverse("admin:exams_registration_changelist"))  # fills the caches (site configuration)
        counts = []
        for total in (3, 30):
            while Piece.objects.count() < 0 or __import__("exams.models").models.Registration.objects.count() < total:
                RegistrationFactory()
            with CaptureQueriesContext(connection) as queries:
                assert dec_staff_client.get(reverse("admin:exams_registration_changelist")).status_code == 200
            counts.append(len(queries))
        assert counts[0] == counts[1], counts


class TestExport:
    def test_csv_export_follows_the_list_filters_and_lists_piece_states(self, dec_staff_client, locked, other_candidate):
        RegistrationFactory(candidate=other_candidate, number="2024-777777")
        response = dec_staff_client.post(reverse("admin:exams_registration_export") + "?status__exact=locked",
                                     {"format": "0", "export_items": [], **{f"registrationresource_{f}": "on" for f in
                                      ["number", "candidate_name", "status", "pieces"]}})
        content = response.content.decode("utf-8-sig") if response.status_code == 200 else ""
        assert response["Content-Type"].startswith("text/csv"), response.status_code
        assert locked.number in content and "2024-777777" not in content
        assert french("Pièce d'identité : Reçue") in content  # with the pages' typography
        assert french(" ; ") in content and " ; " not in content and " : " not in content


def test_the_registration_page_shows_each_piece_with_its_preview_and_state(dec_staff_client, locked):
    page = dec_staff_client.get(reverse("admin:exams_registration_change", args=[locked.pk])).content.decode()
    piece_file = identity(locked).files.get()
    assert reverse("admin:documents_piece_preview", args=[piece_file.pk]) in page
    assert "Reçue, en attente de contrôle" in page
    assert dec_staff_client.get(reverse("admin:exams_registration_history", args=[locked.pk])).status_code == 200


class TestTheReasonTheCandidateReads:
    def test_reasons_are_one_sentence_joined_by_semicolons_and_staffs_words_another(self):
        assert review_reason_text(["Document incomplet (recto ou verso manquant)", "Document illisible"],
                                  "Il manque le verso.") == \
            "Document incomplet (recto ou verso manquant); document illisible. Il manque le verso."

    def test_a_single_reason_or_staffs_words_alone_are_kept_as_they_are(self):
        assert review_reason_text(["Pièce d'identité expirée"]) == "Pièce d'identité expirée"
        assert review_reason_text([], "  Il manque le verso.  ") == "Il manque le verso."

    def test_a_reason_ending_a_sentence_gets_no_second_full_stop(self):
        assert review_reason_text(["Photo floue."], "Reprenez-la.") == "Photo floue. Reprenez-la."

