"""Where a candidate stands (documents/progress.py): one status line and one next step for each
case, the same on the dashboard and the home page."""

import pytest
import time_machine
from django.urls import reverse

from documents.models import PieceKind, PieceStatus
from documents.progress import NextStep, registration_standing
from exams.models import RegistrationStatus
from tests.documents.helpers import OPEN
from tests.factories import ConvocationFactory, ExamSlotFactory, MarkFactory, PieceFactory, RegistrationFactory, paris

pytestmark = pytest.mark.django_db

DEADLINE = paris(2023, 11, 15, 17, 0)
A_MINUTE_LATER = paris(2023, 11, 15, 17, 1)


def standing_at(registration, at):
    with time_machine.travel(at, tick=False):
        return registration_standing(registration, at=at)


class TestFormUnfinished:
    def test_it_names_the_first_step_with_an_unanswered_question(self, registration):
        registration.language = ""
        standing = standing_at(registration, OPEN)
        assert standing.case == "form_unfinished"
        assert standing.line == "Votre inscription n'est pas terminée : des réponses manquent."
        assert standing.next_step.text == "Étape suivante : Spécialité et épreuves."
        assert standing.next_step.url == reverse("exams:step", args=[registration.pk, "specialite"])

    def test_after_the_deadline_it_says_the_candidature_is_to_be_cancelled(self, registration):
        registration.language = ""
        standing = standing_at(registration, A_MINUTE_LATER)
        assert "votre formulaire n'était pas terminé : votre candidature va être annulée" in standing.line
        assert standing.next_step is None


class TestPiecesMissing:
    def test_it_counts_the_missing_pieces_and_gives_the_deadline(self, registration):
        standing = standing_at(registration, OPEN)
        assert standing.case == "pieces_missing"
        assert standing.line.startswith("Votre formulaire est rempli. Il manque 2 pièces justificatives : ")
        assert "Pièce d'identité" in standing.line
        assert standing.next_step.text == ("Étape suivante : téléversez-les avant le 15 novembre 2023 à 17h00, "
                                           "sinon votre candidature sera annulée.")
        assert standing.next_step.url == reverse("documents:pieces", args=[registration.pk])

    def test_it_never_says_the_registration_is_complete(self, registration):
        assert "complète" not in standing_at(registration, OPEN).line

    def test_at_17_00_the_pieces_can_still_be_given(self, registration):
        assert standing_at(registration, DEADLINE).next_step.label == "Mes justificatifs"

    def test_at_17_01_the_candidature_is_to_be_cancelled(self, registration):
        standing = standing_at(registration, A_MINUTE_LATER)
        assert standing.case == "pieces_missing" and standing.tone == "error"
        assert "Les inscriptions sont closes depuis le 15 novembre 2023 à 17h00 et il manquait 2 pièces" in standing.line
        assert standing.next_step is None


class TestEverythingGiven:
    def test_it_says_complete_and_asks_for_the_final_button(self, complete):
        standing = standing_at(complete, OPEN)
        assert standing.case == "all_given"
        assert standing.line == "Votre inscription est complète : toutes vos pièces sont déposées."
        assert standing.next_step.label == "J'ai fourni toutes mes pièces"
        assert standing.next_step.url == reverse("documents:finalize", args=[complete.pk])

    def test_at_17_01_it_says_the_lock_comes_by_itself(self, complete):
        standing = standing_at(complete, A_MINUTE_LATER)
        assert standing.line == ("Les inscriptions sont closes depuis le 15 novembre 2023 à 17h00 : votre inscription, "
                                 "complète, va être validée définitivement.")
        assert standing.next_step is None


class TestValidated:
    @pytest.fixture
    def locked(self, complete):
        complete.status = RegistrationStatus.LOCKED
        complete.save()
        return complete

    def test_it_says_when_the_convocation_comes(self, locked):
        ExamSlotFactory(epreuve__specialty=locked.specialty, starts_at=paris(2024, 5, 15, 8))
        standing = standing_at(locked, paris(2023, 12, 1))
        assert standing.case == "validated"
        assert standing.line == "Votre inscription est validée définitivement."
        assert standing.next_step.text == (
            "Étape suivante : votre convocation sera déposée dans «\u00a0Mes convocations\u00a0» au plus tard le 30 avril 2024, "
            "15 jours avant votre première épreuve (le 15 mai 2024 à 08h00) ; un courriel vous préviendra.")
        assert "imprimez" not in standing.next_step.text.lower()

    def test_without_a_calendar_yet_it_says_15_days_before_the_first_epreuve(self, locked):
        assert "au moins 15 jours avant la première épreuve" in standing_at(locked, paris(2023, 12, 1)).next_step.text

    def test_a_published_convocation_is_the_next_step(self, locked):
        ConvocationFactory(registration=locked)
        standing = standing_at(locked, paris(2024, 4, 2))
        assert standing.case == "convocation" and standing.next_step.url == reverse("exams:convocations")

    def test_published_results_are_the_next_step_not_a_minute_before(self, locked):
        ConvocationFactory(registration=locked)
        MarkFactory(registration=locked)
        locked.session.results_published_at = paris(2024, 7, 12, 10)
        locked.session.save()
        assert standing_at(locked, paris(2024, 7, 12, 9, 59)).case == "convocation"
        standing = standing_at(locked, paris(2024, 7, 12, 10))
        assert standing.case == "results" and standing.next_step.url == reverse("exams:results", args=[locked.pk])


class TestPieceToReplace:
    @pytest.fixture
    def to_replace(self, complete):
        complete.status = RegistrationStatus.LOCKED
        complete.save()
        piece = complete.pieces.get(piece_kind__code="identity")
        piece.status, piece.review_reason, piece.replace_until = PieceStatus.TO_REPLACE, "Copie illisible", paris(2023, 11, 20, 17)
        piece.save()
        return complete

    def test_it_comes_first_with_the_piece_the_link_and_the_date(self, to_replace):
        standing = standing_at(to_replace, paris(2023, 11, 18))
        assert standing.case == "to_replace" and standing.tone == "error"
        assert standing.line == "Une pièce est à remplacer : Pièce d'identité."
        assert standing.next_step.text == "Déposez un nouveau fichier avant le 20 novembre 2023 à 17h00."
        assert standing.next_step.url == reverse("documents:pieces", args=[to_replace.pk])
        assert [p.review_reason for p in standing.to_replace] == ["Copie illisible"]

    def test_after_its_date_the_registration_is_validated_again(self, to_replace):
        assert standing_at(to_replace, paris(2023, 11, 20, 17, 1)).case == "validated"


class TestCancelled:
    def test_it_says_which_pieces_were_missing_at_the_deadline(self, registration):
        registration.status = RegistrationStatus.CANCELLED
        registration.save()
        standing = standing_at(registration, paris(2023, 11, 16))
        assert standing.case == "cancelled"
        assert standing.line.startswith("Candidature annulée : à la date limite du 15 novembre 2023 à 17h00, il manquait : ")
        assert "Pièce d'identité" in standing.line

    def test_it_says_when_the_form_was_not_finished(self, candidate):
        registration = RegistrationFactory(candidate=candidate, language="", status=RegistrationStatus.CANCELLED)
        standing = standing_at(registration, paris(2023, 11, 16))
        assert standing.line == ("Candidature annulée : à la date limite du 15 novembre 2023 à 17h00, "
                                 "votre formulaire d'inscription n'était pas terminé.")

    def test_a_piece_to_replace_no_longer_matters(self, registration):
        PieceFactory(registration=registration, piece_kind=PieceKind.objects.get(code="identity"), status=PieceStatus.TO_REPLACE)
        registration.status = RegistrationStatus.CANCELLED
        registration.save()
        assert standing_at(registration, paris(2023, 11, 16)).case == "cancelled"


class TestMyDocuments:
    """« Mes documents » asks to print and sign only while the registration can change."""

    def page(self, client, registration, at):
        client.force_login(registration.candidate)
        with time_machine.travel(at, tick=False):
            return client.get(reverse("documents:mine", args=[registration.pk])).content.decode()

    def test_a_draft_asks_to_print_date_and_sign(self, client, registration):
        assert "Imprimez-la, vérifiez chaque réponse, datez-la et signez-la" in self.page(client, registration, OPEN)

    def test_a_locked_registration_asks_nothing_more(self, client, registration):
        registration.status = RegistrationStatus.LOCKED
        registration.save()
        page = self.page(client, registration, paris(2023, 12, 1))
        assert "Imprimez-la" not in page and "téléverser les pièces" not in page
        assert "il n&#x27;y a plus rien à signer" in page or "il n'y a plus rien à signer" in page


def test_an_answer_asked_outside_the_form_leads_to_mon_compte(registration):
    from unittest import mock

    with mock.patch("documents.progress.registration_errors", return_value={"postal_address": ["Indiquez votre adresse postale."]}):
        standing = standing_at(registration, OPEN)
    assert standing.case == "form_unfinished"
    assert standing.next_step == NextStep("Indiquez votre adresse postale.", "Mon compte", reverse("candidates:account"))
