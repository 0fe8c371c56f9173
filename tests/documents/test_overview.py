"""The dashboard (« Mon inscription ») draws the answers once per state of the registration and of
the catalogue, and shows any change at once, whoever made it and however it was made."""

import html
from unittest import mock

import pytest
import time_machine
from django.urls import reverse

from documents.models import PieceKind, Requirement
from exams import catalogue
from exams.models import Registration, Specialty
from tests.factories import RegistrationFactory, RequirementFactory, SpecialtyOptionFactory, paris
from tests.text import french

pytestmark = pytest.mark.django_db

OPEN = paris(2023, 11, 1, 10)


@pytest.fixture
def registration(candidate):
    return RegistrationFactory(candidate=candidate)


@pytest.fixture
def overview(client, registration):
    """The dashboard as its owner sees it, as text."""
    client.force_login(registration.candidate)

    def get():
        response = client.get(reverse("documents:overview", args=[registration.pk]))
        assert response.status_code == 200
        return html.unescape(response.content.decode())

    return get


def main(page):
    return page.split('<main id="content"')[1].split("</main>")[0]


def test_the_answers_are_drawn_once_then_served_from_the_cache(overview):
    from documents import requirements

    with time_machine.travel(OPEN, tick=False), \
            mock.patch("documents.progress.required_pieces", wraps=requirements.required_pieces) as reads:
        first, second = overview(), overview()
    assert reads.call_count == 1
    assert main(first) == main(second)
    assert "Pièce d'identité" in second and "Comptabilité et gestion" in second


def test_an_answer_saved_by_the_candidate_shows_at_once(client, overview, registration):
    with time_machine.travel(OPEN, tick=False):
        assert "allemand" not in overview().lower()
        data = {"specialty": registration.specialty_id, "option": "", "language": "allemand", "engagement_etudiant": "False"}
        assert client.post(reverse("exams:step", args=[registration.pk, "specialite"]), data).status_code == 302
        assert "Langue vivante obligatoire</dt><dd>Allemand" in overview()


def test_an_answer_changed_by_staff_shows_at_once(overview, registration, staff):
    from exams.services import registration_save

    with time_machine.travel(OPEN, tick=False):
        assert "Votre formulaire est rempli" in overview()
        registration_save(registration=registration, values={"language": ""}, by_staff=True)  # what admin calls
        assert "Choisissez la langue vivante obligatoire." in overview()


@pytest.mark.parametrize("status, shown", [("cancelled", "Candidature annulée"), ("locked", "Votre inscription est validée définitivement")])
def test_the_deadline_job_cancelling_or_locking_shows_at_once(overview, registration, status, shown):
    """Both change the status with an UPDATE, not the version: the status is part of the key."""
    with time_machine.travel(OPEN, tick=False):
        assert shown not in overview()
        Registration.objects.filter(pk=registration.pk).update(status=status)
        assert shown in overview()


def test_a_specialty_renamed_by_staff_shows_at_once(overview):
    with time_machine.travel(OPEN, tick=False):
        overview()
        specialty = Specialty.objects.get(name="Comptabilité et gestion")
        specialty.name = "Comptabilité et gestion des organisations"
        specialty.save()
        assert "Comptabilité et gestion des organisations" in overview()


def test_an_option_added_to_the_specialty_is_asked_for_at_once(overview, registration):
    with time_machine.travel(OPEN, tick=False):
        assert "Votre formulaire est rempli" in overview()
        SpecialtyOptionFactory(specialty=registration.specialty, code="X")
        page = overview()
    assert "Votre inscription n'est pas terminée" in page
    assert french("Le BTS Comptabilité et gestion comporte des options : choisissez la vôtre.") in page


def test_a_piece_added_to_the_matrix_is_listed_at_once(overview, registration):
    with time_machine.travel(OPEN, tick=False):
        assert "Extrait de casier judiciaire" not in overview()
        RequirementFactory(session=registration.session, piece_kind__code="casier", piece_kind__name="Extrait de casier judiciaire")
        assert "Extrait de casier judiciaire" in overview()


class TestDeadline:
    """Drawn while the window is open, the answers lose their edit links the minute it closes."""

    def test_at_17_00_the_answers_can_still_be_changed(self, overview, registration):
        with time_machine.travel(paris(2023, 11, 15, 16, 59), tick=False):
            overview()
        with time_machine.travel(paris(2023, 11, 15, 17, 0), tick=False):
            page = overview()
        assert reverse("exams:step", args=[registration.pk, "situation"]) in page

    def test_at_17_01_they_no_longer_can(self, overview, registration):
        with time_machine.travel(paris(2023, 11, 15, 17, 0), tick=False):
            assert reverse("exams:step", args=[registration.pk, "situation"]) in overview()
        with time_machine.travel(paris(2023, 11, 15, 17, 1), tick=False):
            page = overview()
        assert reverse("exams:step", args=[registration.pk, "situation"]) not in page
        assert "Les inscriptions sont closes" in page


def test_two_candidates_with_the_same_answers_each_see_their_own(client, registration, other_candidate):
    twin = RegistrationFactory(candidate=other_candidate)
    pages = {}
    with time_machine.travel(OPEN, tick=False):
        for each in (registration, twin):
            client.force_login(each.candidate)
            pages[each.pk] = html.unescape(client.get(reverse("documents:overview", args=[each.pk])).content.decode())
    for each, other in ((registration, twin), (twin, registration)):
        assert each.number in pages[each.pk] and other.number not in pages[each.pk]
        assert reverse("exams:step", args=[each.pk, "situation"]) in pages[each.pk]
        assert reverse("exams:step", args=[other.pk, "situation"]) not in pages[each.pk]


@pytest.mark.parametrize("change", [
    lambda: Specialty.objects.first().save(),
    lambda: SpecialtyOptionFactory(specialty=Specialty.objects.get(code="BAT"), code="X"),
    lambda: PieceKind.objects.first().save(),
    lambda: Requirement.objects.first().save(),
    lambda: Requirement.objects.first().specialties.clear(),
], ids=["specialty", "option", "piece kind", "requirement", "requirement's specialties"])
def test_any_change_to_the_catalogue_starts_a_new_generation(change):
    before = catalogue.generation()
    assert catalogue.generation() == before
    change()
    assert catalogue.generation() != before


class TestDashboardQuery:
    """`Registration.objects.for_dashboard`: one hand-written query, the same values as the ORM's."""

    def test_it_reads_the_shell_with_the_orm_s_values(self, registration, django_assert_num_queries):
        expected = Registration.objects.select_related("session").get(pk=registration.pk)
        with django_assert_num_queries(1):
            shell = Registration.objects.for_dashboard(registration.pk, registration.candidate)
            assert (shell.pk, shell.candidate_id, shell.number, shell.status, shell.version) == (
                expected.pk, expected.candidate_id, expected.number, expected.status, expected.version)
            session = shell.session
            assert (session.pk, session.name) == (expected.session.pk, expected.session.name)
            # Aware datetimes, equal to the ORM's, on SQLite as on PostgreSQL.
            assert session.registration_opens_at == expected.session.registration_opens_at
            assert session.registration_closes_at == expected.session.registration_closes_at
            assert session.registration_closes_at.tzinfo is not None
            assert shell.is_editable == expected.is_editable

    def test_any_other_field_is_read_when_used(self, registration, django_assert_num_queries):
        shell = Registration.objects.for_dashboard(registration.pk, registration.candidate)
        with django_assert_num_queries(1):
            assert shell.language == "anglais"

    def test_another_candidate_s_registration_or_a_missing_one_gives_none(self, registration, other_candidate):
        assert Registration.objects.for_dashboard(registration.pk, other_candidate) is None
        assert Registration.objects.for_dashboard(registration.pk + 1000, registration.candidate) is None


def test_a_generation_drawn_again_before_the_commit_is_replaced_after_it(django_capture_on_commit_callbacks):
    """Signals fire inside the saving transaction: a request served before the commit still reads
    the old catalogue; the generation it draws is replaced once the change is committed."""
    with django_capture_on_commit_callbacks(execute=True):
        Specialty.objects.first().save()
        drawn_before_the_commit = catalogue.generation()
    assert catalogue.generation() != drawn_before_the_commit


class TestStanding:
    """The status line and the next step sit outside the cached answers: a piece's change shows at once."""

    def test_with_no_piece_given_it_never_says_complete(self, overview):
        with time_machine.travel(OPEN, tick=False):
            page = main(overview())
        assert "Votre inscription est complète" not in page
        assert "Il manque 2 pièces justificatives" in page and "avant le 15 novembre 2023 à 17h00" in page

    def test_a_piece_staff_ask_to_replace_shows_at_once(self, overview, registration):
        from documents.models import PieceStatus
        from tests.documents.helpers import give_every_piece

        with time_machine.travel(OPEN, tick=False):
            give_every_piece(registration, OPEN)
            assert french("Votre inscription est complète : toutes vos pièces sont déposées.") in overview()
            piece = registration.pieces.get(piece_kind__code="identity")
            piece.status, piece.review_reason, piece.replace_until = PieceStatus.TO_REPLACE, "Copie illisible", paris(2023, 11, 20, 17)
            piece.save()
            page = main(overview())
        assert french("Une pièce est à remplacer : Pièce d'identité.") in page and "Copie illisible" in page
        assert f'href="{reverse("documents:pieces", args=[registration.pk])}">Mes justificatifs' in page

    def test_once_locked_it_no_longer_asks_to_print_and_sign(self, overview, registration):
        Registration.objects.filter(pk=registration.pk).update(status="locked")
        with time_machine.travel(paris(2023, 12, 1), tick=False):
            page = main(overview())
        assert "Votre inscription est validée définitivement." in page
        assert "imprimez" not in page.lower() and "signez" not in page.lower()
