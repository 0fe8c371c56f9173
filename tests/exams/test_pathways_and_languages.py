"""The pathways' conditions and the languages as data (issue 16, items 2 and 3): voie scolaire's two
years declared, one year of activity at technician level in a related field with its proof, a
distance-learning candidate's language confirmed (the notice, F), the languages each specialty
allows as a table staff edit, and a time slot per épreuve and language."""

import html
from importlib import import_module

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse

from documents.models import PieceKind
from documents.requirements import required_pieces
from exams import convocations, rules
from exams.models import Category, Epreuve, ExamSession, ExamSlot, JobLevel, Pathway, Registration, Specialty, SpecialtyLanguage
from tests.exams.test_registration import OPEN, post_step, start
from tests.factories import (
    ExamSlotFactory,
    PieceFactory,
    RegistrationFactory,
    SpecialtyFactory,
    paris,
)
from tests.text import french

pytestmark = pytest.mark.django_db

EXPERIENCE = {"experience_months": 12, "experience_job": "Technicien de maintenance", "experience_level": JobLevel.TECHNICIAN,
              "experience_field": "Maintenance industrielle", "experience_field_related": True}


def text(response):
    return html.unescape(response.content.decode())


def error_of(page, field):
    parts = page.split(f'id="id_{field}-desc-error"')
    return parts[1].split("</div>")[0] if len(parts) > 1 else None


class TestVoieScolaire:
    """The notice, B: « La voie scolaire : la formation dure deux années »."""

    @pytest.mark.parametrize("pathway", [Pathway.SCOLAIRE, Pathway.EX_SCOLAIRE])
    @pytest.mark.parametrize(("two_years", "refused"), [(None, True), (False, True), (True, False)])
    def test_the_two_years_are_declared(self, pathway, two_years, refused):
        errors = rules.scolaire_training_errors(pathway=pathway, two_years_of_training=two_years)
        assert bool(errors) is refused
        if two_years is False:
            assert "La voie scolaire demande deux années de formation (notice, B)" in errors["two_years_of_training"][0]

    @pytest.mark.parametrize("pathway", [Pathway.APPRENTISSAGE, Pathway.FORMATION_CONTINUE, Pathway.EXPERIENCE])
    def test_other_pathways_are_not_asked(self, pathway):
        assert rules.scolaire_training_errors(pathway=pathway, two_years_of_training=None) == {}

    def test_the_step_refuses_one_year_next_to_the_question_and_saves_nothing(self, logged_in):
        with time_machine.travel(OPEN, tick=False):
            registration = start(logged_in)
            response = post_step(logged_in, registration, "preparation", pathway="scolaire", diploma="bac_pro",
                                 two_years_of_training="False")
        assert response.status_code == 200
        assert "deux années de formation (notice, B)" in error_of(text(response), "two_years_of_training")
        registration.refresh_from_db()
        assert registration.pathway == "" and registration.two_years_of_training is None

    def test_the_answer_is_kept_only_for_the_voie_scolaire(self, logged_in):
        with time_machine.travel(OPEN, tick=False):
            registration = start(logged_in)
            post_step(logged_in, registration, "preparation", two_years_of_training="True")  # an apprentice
        registration.refresh_from_db()
        assert (registration.pathway, registration.two_years_of_training) == ("apprentissage", None)

    def test_an_earlier_draft_without_the_answer_is_incomplete_and_says_where(self):
        registration = RegistrationFactory(two_years_of_training=None)
        assert rules.registration_errors(registration) == {"two_years_of_training": ["Répondez « Oui » ou « Non »."]}


class TestOneYearOfActivity:
    """The notice, B: « 1 an d'activité professionnelle effective dans un emploi de niveau au moins égal à
    celui de technicien et dans un domaine en rapport avec la spécialité du B.T.S. »."""

    def errors(self, **changes):
        return rules.professional_experience_errors(pathway=Pathway.EXPERIENCE, **{**EXPERIENCE, **changes})

    def test_a_year_as_a_technician_in_a_related_field_holds(self):
        assert self.errors() == {}

    @pytest.mark.parametrize(("months", "refused"), [(None, True), (11, True), (12, False)])
    def test_at_least_12_months(self, months, refused):
        errors = self.errors(experience_months=months)
        assert bool(errors) is refused
        if months == 11:
            assert errors["experience_months"] == [
                "La voie « un an d'activité professionnelle » demande au moins 12 mois d'activité effective (notice, B) ; "
                "vous avez indiqué 11 mois."]

    @pytest.mark.parametrize(("level", "refused"), [
        ("", True), (JobLevel.WORKER, True), (JobLevel.TECHNICIAN, False), (JobLevel.SUPERVISOR, False),
        (JobLevel.EXECUTIVE, False)])
    def test_technician_level_or_above(self, level, refused):
        errors = self.errors(experience_level=level)
        assert bool(errors) is refused
        if level == JobLevel.WORKER:
            assert "niveau au moins égal à celui de technicien (notice, B)" in errors["experience_level"][0]

    @pytest.mark.parametrize(("related", "refused"), [(None, True), (False, True), (True, False)])
    def test_in_a_field_related_to_the_specialty(self, related, refused):
        errors = self.errors(experience_field_related=related)
        assert bool(errors) is refused
        if related is False:
            assert "domaine en rapport avec la spécialité du BTS présenté (notice, B)" in errors["experience_field_related"][0]

    @pytest.mark.parametrize("field", ["experience_job", "experience_field"])
    @pytest.mark.parametrize("answer", ["", "   "])
    def test_the_job_and_the_field_are_named(self, field, answer):
        assert set(self.errors(**{field: answer})) == {field}

    def test_the_step_refuses_a_workers_job_and_saves_nothing(self, logged_in):
        with time_machine.travel(OPEN, tick=False):
            registration = start(logged_in)
            response = post_step(logged_in, registration, "preparation", pathway="experience", **{
                **{k: str(v) for k, v in EXPERIENCE.items()}, "experience_level": "worker"})
        assert response.status_code == 200
        assert "niveau au moins égal à celui de technicien" in error_of(text(response), "experience_level")
        registration.refresh_from_db()
        assert registration.pathway == "" and registration.experience_job == ""

    def test_the_step_keeps_the_year_described(self, logged_in):
        with time_machine.travel(OPEN, tick=False):
            registration = start(logged_in)
            response = post_step(logged_in, registration, "preparation", pathway="experience",
                                 **{k: str(v) for k, v in EXPERIENCE.items()})
        assert response.status_code == 302
        registration.refresh_from_db()
        assert (registration.experience_months, registration.experience_job, registration.experience_level,
                registration.experience_field, registration.experience_field_related) == (
            12, "Technicien de maintenance", "technician", "Maintenance industrielle", True)

    def test_its_answers_are_not_kept_for_another_pathway(self, logged_in):
        with time_machine.travel(OPEN, tick=False):
            registration = start(logged_in)
            post_step(logged_in, registration, "preparation", **{k: str(v) for k, v in EXPERIENCE.items()})  # an apprentice
        registration.refresh_from_db()
        assert (registration.experience_job, registration.experience_level, registration.experience_field_related) == ("", "", None)

    def test_the_proof_of_that_year_is_a_required_piece_with_its_reason(self):
        registration = RegistrationFactory(pathway=Pathway.EXPERIENCE, diploma="", **EXPERIENCE)
        pieces = {piece.kind.code: piece.reason for piece in required_pieces(registration)}
        assert "work-contract" not in pieces
        assert french(pieces["experience-proof"]) == french(
            "car vous êtes candidat(e) par la voie : un an d'activité professionnelle dans un domaine en rapport avec la spécialité")

    def test_formation_continue_still_gives_its_contract(self):
        registration = RegistrationFactory(pathway=Pathway.FORMATION_CONTINUE, diploma="")
        codes = {piece.kind.code for piece in required_pieces(registration)}
        assert "work-contract" in codes and "experience-proof" not in codes

    def test_a_work_contract_given_before_becomes_the_proof(self):
        registration = RegistrationFactory(pathway=Pathway.EXPERIENCE, diploma="", **EXPERIENCE)
        other = RegistrationFactory(pathway=Pathway.FORMATION_CONTINUE, diploma="")
        work_contract = PieceKind.objects.get(code="work-contract")
        given = PieceFactory(registration=registration, piece_kind=work_contract)
        kept = PieceFactory(registration=other, piece_kind=work_contract)
        import_module("documents.migrations.0011_experience_proof").load(apps, None)
        given.refresh_from_db(), kept.refresh_from_db()
        assert (given.piece_kind.code, kept.piece_kind.code) == ("experience-proof", "work-contract")


class TestLanguagesAsData:
    def test_each_specialty_with_epreuves_allows_english(self):
        for specialty in Specialty.objects.filter(epreuves__isnull=False).distinct():
            assert "anglais" in specialty.allowed_languages(), specialty

    def test_a_language_the_specialty_does_not_offer_is_refused_with_those_it_does(self):
        bat = Specialty.objects.get(code="BAT")
        assert rules.language_errors(specialty=bat, language="anglais") == {}
        assert rules.language_errors(specialty=bat, language="espagnol") == {"language": [
            "Le BTS Bâtiment ne propose pas l'épreuve de langue en espagnol. Langues proposées : anglais."]}

    def test_a_specialty_without_languages_yet_says_whom_to_ask(self, settings):
        specialty = SpecialtyFactory(languages=[])
        message = rules.language_errors(specialty=specialty, language="anglais")["language"][0]
        assert "Aucune langue n'est encore ouverte" in message and settings.DEC_EMAIL in message

    def test_staff_adding_a_language_opens_it_at_once(self):
        bat = Specialty.objects.get(code="BAT")
        assert "espagnol" not in bat.allowed_languages()
        SpecialtyLanguage.objects.create(specialty=bat, language="espagnol")  # the cache is forgotten
        assert bat.allowed_languages() == ["anglais", "espagnol"]
        SpecialtyLanguage.objects.filter(specialty=bat, language="espagnol").delete()
        assert bat.allowed_languages() == ["anglais"]

    def test_the_step_refuses_another_language_next_to_the_field(self, logged_in):
        with time_machine.travel(OPEN, tick=False):
            registration = start(logged_in)
            response = post_step(logged_in, registration, "specialite", language="espagnol")  # BTS Bâtiment
        assert "ne propose pas l'épreuve de langue en espagnol" in error_of(text(response), "language")
        registration.refresh_from_db()
        assert registration.language == ""

    def test_the_page_gives_each_specialtys_languages_for_the_list_to_keep_them(self, logged_in):
        with time_machine.travel(OPEN, tick=False):
            registration = start(logged_in)
            page = text(logged_in.get(reverse("exams:step", args=[registration.pk, "specialite"])))
        bat, cg = Specialty.objects.get(code="BAT"), Specialty.objects.get(code="CG")
        assert 'data-languages-of="specialty"' in page
        assert f'"{bat.pk}": ["anglais"]' in page and f'"{cg.pk}": ["anglais", "allemand", "espagnol", "italien"]' in page

    def test_staff_edit_them_on_the_specialty_in_admin(self, staff_client):
        bat = Specialty.objects.get(code="BAT")
        page = staff_client.get(reverse("admin:exams_specialty_change", args=[bat.pk])).content.decode()
        assert "Langues proposées à l'épreuve de langue obligatoire" in html.unescape(page)
        listing = html.unescape(staff_client.get(reverse("admin:exams_specialty_changelist")).content.decode())
        assert "Anglais, Allemand, Espagnol, Italien" in listing


class TestDistanceLearningLanguage:
    """The notice, F: « pour les candidats de l'enseignement à distance, l'option choisie à l'inscription de
    l'épreuve de langue obligatoire doit être enseignée conformément à la règlementation du BTS »."""

    def test_the_candidate_confirms_the_organisation_teaches_it_and_the_message_quotes_f(self):
        errors = rules.distance_learning_language_errors(category=Category.DISTANCE_LEARNING, language="anglais", confirmed=False)
        message = errors["distance_language_confirmed"][0]
        assert "Confirmez que votre organisme d'enseignement à distance enseigne cette langue pour ce BTS" in message
        assert "doit être enseignée conformément à la règlementation du BTS » (notice, F)" in message
        assert rules.distance_learning_language_errors(
            category=Category.DISTANCE_LEARNING, language="anglais", confirmed=True) == {}

    @pytest.mark.parametrize("category", [Category.EMPLOYEE, Category.EARLIER_SESSION])
    def test_other_categories_are_not_asked(self, category):
        assert rules.distance_learning_language_errors(category=category, language="anglais", confirmed=False) == {}

    def distance_learner(self, client):
        registration = start(client)
        post_step(client, registration, "situation", category="distance_learning", distance_learning_organisation="CNED")
        return registration

    def test_the_step_asks_only_a_distance_learner(self, logged_in):
        with time_machine.travel(OPEN, tick=False):
            registration = start(logged_in)
            post_step(logged_in, registration, "situation")  # an employee
            page = text(logged_in.get(reverse("exams:step", args=[registration.pk, "specialite"])))
            assert 'name="distance_language_confirmed"' not in page
            Registration.objects.all().delete()
            registration = self.distance_learner(logged_in)
            page = text(logged_in.get(reverse("exams:step", args=[registration.pk, "specialite"])))
        assert 'name="distance_language_confirmed"' in page and "la notice (section F) l'exige" in page

    def test_the_step_refuses_an_unconfirmed_language_and_saves_nothing(self, logged_in):
        with time_machine.travel(OPEN, tick=False):
            registration = self.distance_learner(logged_in)
            response = post_step(logged_in, registration, "specialite")
            assert "(notice, F)" in error_of(text(response), "distance_language_confirmed")
            registration.refresh_from_db()
            assert registration.language == ""
            assert post_step(logged_in, registration, "specialite", distance_language_confirmed="on").status_code == 302
        registration.refresh_from_db()
        assert (registration.language, registration.distance_language_confirmed) == ("anglais", True)

    def test_a_registration_that_became_distance_learning_is_incomplete_until_confirmed(self):
        registration = RegistrationFactory(category=Category.DISTANCE_LEARNING, distance_learning_organisation="CNED")
        assert set(rules.registration_errors(registration)) == {"distance_language_confirmed"}


class TestSlotPerEpreuveAndLanguage:
    """The notice, F: « Selon la langue choisie, un candidat pourra être convoqué dans une autre académie »."""

    @pytest.fixture
    def cg(self):
        return Specialty.objects.get(code="CG")

    @pytest.fixture
    def slots(self, cg):
        session = ExamSession.objects.get(year=2024, academy="Normandie")
        language = Epreuve.objects.get(specialty=cg, code="E2")
        written = Epreuve.objects.get(specialty=cg, code="E1")
        return {
            "written": ExamSlotFactory(session=session, epreuve=written, starts_at=paris(2024, 5, 14, 8), place="Caen"),
            "every": ExamSlotFactory(session=session, epreuve=language, starts_at=paris(2024, 5, 15, 8), place="Caen"),
            "italien": ExamSlotFactory(session=session, epreuve=language, language="italien", starts_at=paris(2024, 5, 16, 14),
                                       place="Lycée Jean-Bart, Lyon", academy="Lyon"),
        }

    def test_two_candidates_of_one_specialty_each_get_their_languages_place_and_academy(self, cg, slots):
        english = RegistrationFactory(specialty=cg, language="anglais")
        italian = RegistrationFactory(specialty=cg, language="italien")
        assert convocations.convocation_slots(english) == [slots["written"], slots["every"]]
        assert convocations.convocation_slots(italian) == [slots["written"], slots["italien"]]
        assert convocations.slot_location(slots["italien"], italian) == "Lycée Jean-Bart, Lyon (académie de Lyon)"

    def test_the_pdf_and_the_calendar_name_the_candidates_language(self, cg, slots):
        from icalendar import Calendar

        italian = RegistrationFactory(specialty=cg, language="italien")
        assert convocations.slot_title(slots["italien"], italian) == "E2 — Langue vivante étrangère A (italien)"
        assert convocations.slot_title(slots["written"], italian) == "E1 — Culture générale et expression"
        events = Calendar.from_ical(convocations.convocation_ics(italian)).walk("VEVENT")
        assert "BTS Comptabilité et gestion — E2 — Langue vivante étrangère A (italien)" in [str(e["summary"]) for e in events]
        assert {str(e["location"]) for e in events} == {"Caen", "Lycée Jean-Bart, Lyon (académie de Lyon)"}

    def test_a_slot_is_once_per_epreuve_and_language(self, slots):
        from django.core.exceptions import ValidationError

        duplicate = ExamSlot(session=slots["italien"].session, epreuve=slots["italien"].epreuve, language="italien",
                             starts_at=paris(2024, 5, 17), duration_minutes=30, place="Lyon", academy="Lyon")
        with pytest.raises(ValidationError, match="a déjà un créneau pour cette langue"):
            duplicate.validate_constraints()

    def test_only_a_language_epreuve_has_a_slot_per_language(self, slots):
        from django.core.exceptions import ValidationError

        slots["written"].language = "italien"
        with pytest.raises(ValidationError, match="Seule une épreuve de langue"):
            slots["written"].full_clean()

    def test_moving_a_languages_slot_renews_only_the_convocations_of_that_language(self, cg, slots, run_on_commit):
        english = RegistrationFactory(specialty=cg, language="anglais", status="locked")
        italian = RegistrationFactory(specialty=cg, language="italien", status="locked")
        with run_on_commit():
            convocations.convocations_publish(session=english.session, specialty=cg, at=paris(2024, 4, 1))
        slot = slots["italien"]
        before = ExamSlot.objects.get(pk=slot.pk)
        slot.place = "Lycée du Parc, Lyon"
        slot.save()
        with run_on_commit():
            assert convocations.slot_changed_after_publication(slot=slot, before=before, at=paris(2024, 4, 20)) == 1
        english.convocation.refresh_from_db(), italian.convocation.refresh_from_db()
        assert (english.convocation.version, italian.convocation.version) == (1, 2)

    def test_a_new_slot_for_a_language_moves_its_candidates_off_the_common_one(self, cg, slots, run_on_commit):
        english = RegistrationFactory(specialty=cg, language="anglais", status="locked")
        german = RegistrationFactory(specialty=cg, language="allemand", status="locked")
        with run_on_commit():
            convocations.convocations_publish(session=english.session, specialty=cg, at=paris(2024, 4, 1))
        slot = ExamSlotFactory(session=english.session, epreuve=slots["every"].epreuve, language="allemand",
                               starts_at=paris(2024, 5, 15, 14), place="Strasbourg", academy="Strasbourg")
        with run_on_commit():
            assert convocations.slot_saved(slot=slot, before=None, at=paris(2024, 4, 20)) == 1
        german.convocation.refresh_from_db(), english.convocation.refresh_from_db()
        assert (english.convocation.version, german.convocation.version) == (1, 2)
        assert slot in convocations.convocation_slots(german) and slots["every"] not in convocations.convocation_slots(german)


def test_the_year_of_activity_reads_in_one_line_on_the_pages_and_the_confirmation():
    registration = RegistrationFactory(pathway=Pathway.EXPERIENCE, diploma="", **{**EXPERIENCE, "experience_months": 14})
    assert registration.activity_described() == (
        "14 mois — Technicien de maintenance (technicien(ne)), Maintenance industrielle, en rapport avec la spécialité")
    assert RegistrationFactory().activity_described() == ""


def test_a_distance_learner_who_changes_organisation_confirms_the_language_again(logged_in):
    with time_machine.travel(OPEN, tick=False):
        registration = start(logged_in)
        post_step(logged_in, registration, "situation", category="distance_learning", distance_learning_organisation="CNED")
        post_step(logged_in, registration, "specialite", distance_language_confirmed="on")
        registration.refresh_from_db()
        assert registration.distance_language_confirmed
        post_step(logged_in, registration, "situation", category="distance_learning",
                  distance_learning_organisation="Autre organisme")
    registration.refresh_from_db()
    assert not registration.distance_language_confirmed
    assert "distance_language_confirmed" in rules.registration_errors(registration)
