"""The correction loop (issue 15, item 1): a piece keeps its state whatever happens to its files;
a reopened piece takes several files and goes back with « Renvoyer pour contrôle »; staff see
what is new, reopen any piece of a locked registration, skip a piece, and two staff members in
the queue get different pieces (a claim, released on decision or after REVIEW_CLAIM_MINUTES)."""

import html
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from candidates.models import Message
from documents import review
from documents.completeness import piece_states
from documents.locking import registration_finalize
from documents.models import Piece, PieceStatus
from documents.pieces import ResubmitRefused, piece_file_delete, piece_resubmit, piece_upload
from documents.review import ReviewRefused, next_piece_to_review, piece_claim, piece_reopen, piece_review
from tests.documents.files import pdf_bytes, upload
from tests.documents.helpers import give_every_piece
from tests.factories import RegistrationFactory, StaffFactory, paris
from tests.portal.helpers import log_in_with_second_factor
from tests.text import french

pytestmark = pytest.mark.django_db

OPEN = paris(2023, 11, 1, 10)
DECIDED = paris(2023, 11, 16, 9)  # after the deadline: the registration is locked
UNTIL = paris(2023, 11, 30, 17)


def lock(registration):
    give_every_piece(registration, OPEN)
    registration_finalize(registration=registration, at=OPEN)
    registration.refresh_from_db()
    return registration


@pytest.fixture
def locked(registration):
    return lock(registration)


def identity(registration):
    return Piece.objects.get(registration=registration, piece_kind__code="identity")


def send_back(registration, by, reason="Carte expirée en 2022.", at=DECIDED):
    return piece_review(piece=identity(registration), accept=False, comment=reason, replace_until=UNTIL, by=by, at=at)


def add_file(registration, name, at):
    return piece_upload(registration=registration, piece_kind=identity(registration).piece_kind,
                        uploads=[upload(name, pdf_bytes())], at=at)[0]


class TestAPieceKeepsItsState:
    def test_removing_the_last_file_of_a_piece_to_replace_keeps_its_reason_and_date(self, locked, dec_staff):
        send_back(locked, dec_staff)
        piece_file_delete(registration=locked, piece_file=identity(locked).files.get(), at=paris(2023, 11, 20))
        piece = identity(locked)
        assert piece.status == PieceStatus.TO_REPLACE and piece.review_reason == "Carte expirée en 2022."
        assert piece.replace_until == UNTIL and piece.files.count() == 0
        state = next(s for s in piece_states(locked) if s.required.kind.code == "identity")
        assert state.status == PieceStatus.TO_REPLACE and state.status_label == "À remplacer"
        locked.refresh_from_db()
        assert locked.pieces_missing == 1  # no file: missing for completeness, still « à remplacer »

    def test_a_received_piece_with_no_file_left_counts_as_missing_and_leaves_the_queue(self, registration):
        give_every_piece(registration, OPEN)
        piece_file_delete(registration=registration, piece_file=identity(registration).files.get(), at=OPEN)
        state = next(s for s in piece_states(registration) if s.required.kind.code == "identity")
        assert state.status == "missing" and identity(registration).status == PieceStatus.RECEIVED
        assert identity(registration) not in review.review_queue()

    def test_the_page_after_removal_still_shows_the_reason_and_the_upload_form(self, logged_in, locked, dec_staff):
        send_back(locked, dec_staff)
        file_pk = identity(locked).files.get().pk
        with time_machine.travel(paris(2023, 11, 20), tick=False):
            logged_in.post(reverse("documents:delete_file", args=[locked.pk, file_pk]))
            page = html.unescape(logged_in.get(reverse("documents:pieces", args=[locked.pk])).content.decode())
        section = page.split('id="piece-identity"')[1].split("</section>")[0]
        assert "Carte expirée en 2022." in section and "À remplacer" in section and "Téléverser" in section
        assert "Manquante" not in section


class TestRemovalAsksForConfirmation:
    def test_the_link_opens_a_page_that_removes_nothing(self, logged_in, registration):
        give_every_piece(registration, OPEN)
        piece_file = identity(registration).files.get()
        with time_machine.travel(OPEN, tick=False):
            page = html.unescape(logged_in.get(reverse("documents:delete_file", args=[registration.pk, piece_file.pk])).content.decode())
        assert french("Voulez-vous retirer le fichier « piece.pdf » de la pièce « Pièce d'identité » ?") in page
        assert "Oui, retirer ce fichier" in page and "Non, le garder" in page
        assert identity(registration).files.count() == 1

    def test_another_candidate_cannot_open_or_remove_the_file(self, client, other_candidate, registration):
        give_every_piece(registration, OPEN)
        piece_file = identity(registration).files.get()
        client.force_login(other_candidate)
        url = reverse("documents:delete_file", args=[registration.pk, piece_file.pk])
        assert client.get(url).status_code == 404 and client.post(url).status_code == 404
        assert identity(registration).files.count() == 1


class TestResubmit:
    def test_a_reopened_piece_takes_recto_and_verso_then_goes_back_on_the_button(self, locked, dec_staff):
        send_back(locked, dec_staff)
        add_file(locked, "recto.pdf", paris(2023, 11, 20))
        add_file(locked, "verso.pdf", paris(2023, 11, 20, 1))
        assert identity(locked).status == PieceStatus.TO_REPLACE  # the uploads alone do not send it back
        piece_resubmit(registration=locked, piece=identity(locked), at=paris(2023, 11, 20, 2))
        piece = identity(locked)
        assert piece.status == PieceStatus.RECEIVED and piece.files.count() == 3
        assert piece.updated_at == paris(2023, 11, 20, 2) and piece in review.review_queue()

    def test_it_needs_a_file_given_since_the_request(self, locked, dec_staff):
        send_back(locked, dec_staff)
        with pytest.raises(ResubmitRefused, match="Ajoutez d'abord au moins un nouveau fichier"):
            piece_resubmit(registration=locked, piece=identity(locked), at=paris(2023, 11, 20))

    def test_it_works_until_17_00_on_the_date_staff_set_and_not_at_17_01(self, locked, dec_staff):
        send_back(locked, dec_staff)
        add_file(locked, "recto.pdf", paris(2023, 11, 20))
        with pytest.raises(ResubmitRefused):
            piece_resubmit(registration=locked, piece=identity(locked), at=paris(2023, 11, 30, 17, 1))
        piece_resubmit(registration=locked, piece=identity(locked), at=paris(2023, 11, 30, 17, 0))
        assert identity(locked).status == PieceStatus.RECEIVED

    def test_a_piece_nobody_asked_to_replace_cannot_be_sent_back(self, locked):
        with pytest.raises(ResubmitRefused):
            piece_resubmit(registration=locked, piece=identity(locked), at=paris(2023, 11, 20))

    def test_another_candidates_piece_is_a_404_and_stays_as_it_is(self, client, other_candidate, locked, dec_staff):
        send_back(locked, dec_staff)
        add_file(locked, "recto.pdf", paris(2023, 11, 20))
        client.force_login(other_candidate)
        other = RegistrationFactory(candidate=other_candidate)
        assert client.post(reverse("documents:resubmit", args=[locked.pk, identity(locked).pk])).status_code == 404
        assert client.post(reverse("documents:resubmit", args=[other.pk, identity(locked).pk])).status_code == 404
        with pytest.raises(ResubmitRefused):
            piece_resubmit(registration=other, piece=identity(locked), at=paris(2023, 11, 20))
        assert identity(locked).status == PieceStatus.TO_REPLACE

    def test_the_page_offers_the_button_once_a_new_file_is_there(self, logged_in, locked, dec_staff):
        send_back(locked, dec_staff)
        url = reverse("documents:pieces", args=[locked.pk])
        with time_machine.travel(paris(2023, 11, 20), tick=False):
            assert "Renvoyer pour contrôle" not in logged_in.get(url).content.decode()
            logged_in.post(reverse("documents:upload", args=[locked.pk, "identity"]), {"files": [upload("recto.pdf", pdf_bytes())]})
            assert "Renvoyer pour contrôle" in logged_in.get(url).content.decode()
            response = logged_in.post(reverse("documents:resubmit", args=[locked.pk, identity(locked).pk]), follow=True)
        assert "renvoyée pour contrôle" in html.unescape(response.content.decode())
        assert identity(locked).status == PieceStatus.RECEIVED


class TestTheRequestEmail:
    def test_the_email_and_its_message_link_to_my_pieces(self, locked, dec_staff, run_on_commit, settings):
        settings.PORTAL_BASE_URL = "https://bts.ac-normandie.fr"
        with run_on_commit():
            send_back(locked, dec_staff)
        link = f"https://bts.ac-normandie.fr{reverse('documents:pieces', args=[locked.pk])}#piece-identity"
        assert link in mail.outbox[-1].body
        assert f'href="{link}"' in mail.outbox[-1].alternatives[0][0]
        assert link in Message.objects.get(subject__startswith="Pièce à remplacer").body_text


class TestStaffSeeWhatIsNew:
    def test_the_review_page_marks_new_files_and_shows_the_earlier_reason(self, dec_staff_client, dec_staff, locked):
        send_back(locked, dec_staff)
        add_file(locked, "verso.pdf", paris(2023, 11, 20))
        piece_resubmit(registration=locked, piece=identity(locked), at=paris(2023, 11, 20, 1))
        page = html.unescape(dec_staff_client.get(reverse("admin:documents_piece_review", args=[identity(locked).pk])).content.decode())
        assert "Demande précédente" in page and "Carte expirée en 2022." in page
        assert "1 fichier déposé depuis cette demande." in page
        assert page.count('<span class="new">Nouveau</span>') == 1
        assert page.split('<span class="new">Nouveau</span>')[1].lstrip().startswith("verso.pdf")


class TestReopen:
    def test_staff_reopen_an_accepted_piece_of_a_locked_registration(self, dec_staff_client, dec_staff, locked, run_on_commit):
        piece_review(piece=identity(locked), accept=True, by=dec_staff, at=DECIDED)
        url = reverse("admin:documents_piece_review", args=[identity(locked).pk])
        assert "Rouvrir la pièce" in dec_staff_client.get(url).content.decode()
        with run_on_commit():
            dec_staff_client.post(url, {"decision": "reopen", "reopen_reason": "Le verso manque.",
                                        "reopen_until": "2099-01-10T17:00"})
        piece = identity(locked)
        assert piece.status == PieceStatus.TO_REPLACE and piece.review_reason == "Le verso manque."
        assert piece.reviewed_by == dec_staff
        assert "Le verso manque." in mail.outbox[-1].body

    def test_a_draft_registration_is_not_reopened_by_staff(self, registration, dec_staff):
        give_every_piece(registration, OPEN)
        with pytest.raises(ReviewRefused, match="validée définitivement"):
            piece_reopen(piece=identity(registration), reason="Verso", replace_until=UNTIL, by=dec_staff, at=OPEN)

    def test_it_needs_a_reason_and_a_date_to_come(self, locked, dec_staff):
        with pytest.raises(ReviewRefused):
            piece_reopen(piece=identity(locked), reason=" ", replace_until=UNTIL, by=dec_staff, at=DECIDED)
        with pytest.raises(ReviewRefused):
            piece_reopen(piece=identity(locked), reason="Verso", replace_until=DECIDED, by=dec_staff, at=DECIDED)
        assert identity(locked).status == PieceStatus.RECEIVED


def second_agent():
    from django.contrib.auth.models import Group

    agent = StaffFactory(email="second.agent@ac-normandie.fr")
    agent.groups.add(Group.objects.get(name="Gestionnaire DEC"))
    client = Client()
    log_in_with_second_factor(client, agent)
    return agent, client


def opened(client):
    """The piece the queue gives this staff member."""
    location = client.get(reverse("admin:documents_piece_queue"))["Location"]
    return Piece.objects.get(pk=int(location.rstrip("/").split("/")[-2]))


class TestTheQueueClaims:
    def test_two_staff_members_opening_the_queue_get_different_pieces(self, dec_staff_client, locked):
        _, second = second_agent()
        assert opened(dec_staff_client) != opened(second)

    def test_reopening_the_queue_gives_back_the_piece_one_holds(self, dec_staff_client, locked):
        assert opened(dec_staff_client) == opened(dec_staff_client)

    def test_a_decision_releases_the_piece(self, dec_staff, dec_staff_client, locked):
        first = opened(dec_staff_client)
        piece_review(piece=first, accept=True, by=dec_staff)
        assert Piece.objects.get(pk=first.pk).claimed_by is None

    def test_a_claim_lapses_after_review_claim_minutes(self, dec_staff, locked, settings):
        settings.REVIEW_CLAIM_MINUTES = 10
        other = StaffFactory()
        at = paris(2023, 11, 16, 9)
        first = next_piece_to_review(by=dec_staff, at=at)
        assert not piece_claim(piece=first, by=other, at=at + timedelta(minutes=9, seconds=59))
        assert piece_claim(piece=first, by=other, at=at + timedelta(minutes=10))

    def test_passer_gives_the_next_piece_and_leaves_the_skipped_one_to_others(self, dec_staff_client, locked):
        first = opened(dec_staff_client)
        response = dec_staff_client.post(reverse("admin:documents_piece_review", args=[first.pk]), {"decision": "skip"})
        assert response["Location"] == reverse("admin:documents_piece_queue")
        second_piece = opened(dec_staff_client)
        assert second_piece != first and Piece.objects.get(pk=first.pk).claimed_by is None
        _, second = second_agent()
        assert opened(second) == first

    def test_when_a_colleague_holds_the_last_piece_the_queue_says_so(self, dec_staff_client, locked):
        _, second = second_agent()
        held = opened(second)
        Piece.objects.filter(registration=locked).exclude(pk=held.pk).update(status=PieceStatus.ACCEPTED)
        page = html.unescape(dec_staff_client.get(reverse("admin:documents_piece_queue"), follow=True).content.decode())
        assert french("Aucune pièce libre : 1 pièce est en cours de contrôle par un collègue.") in page
        assert "Aucune pièce n'attend de contrôle." not in page

    def test_with_nothing_held_nor_waiting_the_queue_says_nothing_awaits(self, dec_staff_client, locked):
        Piece.objects.filter(registration=locked).update(status=PieceStatus.ACCEPTED)
        page = html.unescape(dec_staff_client.get(reverse("admin:documents_piece_queue"), follow=True).content.decode())
        assert "Aucune pièce n'attend de contrôle." in page

    def test_the_review_page_says_who_holds_a_piece(self, dec_staff_client, locked):
        agent, second = second_agent()
        first = opened(second)
        page = html.unescape(dec_staff_client.get(reverse("admin:documents_piece_review", args=[first.pk])).content.decode())
        assert f"{agent.get_full_name()} contrôle cette pièce en ce moment" in page
        assert Piece.objects.get(pk=first.pk).claimed_by == agent


@pytest.mark.django_db(transaction=True)
def test_two_staff_members_claiming_at_once_get_different_pieces(reference_data):
    """Real threads on PostgreSQL, started together, each asking the queue for a piece."""
    for _ in range(3):
        lock(RegistrationFactory())
    agents = [StaffFactory(), StaffFactory()]
    for _ in range(10):
        Piece.objects.update(claimed_by=None, claimed_until=None)
        barrier, got = threading.Barrier(2), {}

        def claim(agent, barrier=barrier, got=got):
            try:
                barrier.wait()
                got[agent.pk] = next_piece_to_review(by=agent)
            finally:
                connection.close()

        threads = [threading.Thread(target=claim, args=(agent,)) for agent in agents]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert got[agents[0].pk] is not None and got[agents[1].pk] is not None
        assert got[agents[0].pk].pk != got[agents[1].pk].pk
