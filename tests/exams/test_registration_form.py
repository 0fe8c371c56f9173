"""The registration form as a candidate meets it (issue 15, item 4): contradictions refused in
French next to their field, one message per field, fields asked only when they apply, no
« --------- », « (Optionnel) » only where everyone may leave a field empty, French order, and an
incomplete registration that names each question and links to its step."""

import html
import re

import pytest
import time_machine
from django.urls import reverse

from common.collation import french_sort_key
from exams import rules
from exams.forms import STEPS, unfinished_answers
from exams.models import Category, Pathway, Registration, Specialty, SpecialtyOption
from tests.exams.test_registration import OPEN, post_step, start
from tests.factories import RegistrationFactory
from tests.text import french, french_markup

pytestmark = pytest.mark.django_db

RENOUNCING_WITHOUT_BENEFITS = "Vous ne pouvez renoncer qu'à des bénéfices de notes que vous conservez"


def text(response):
    return html.unescape(response.content.decode())


def error_of(page, field):
    """The message drawn under a field (django-dsfr: id_<field>-desc-error), or None."""
    parts = page.split(f'id="id_{field}-desc-error"')
    return parts[1].split("</div>")[0] if len(parts) > 1 else None


def error_count(page, field):
    block = error_of(page, field)
    return 0 if block is None else block.count("<li")


class TestRenouncingBenefits:
    @pytest.mark.parametrize(("keeps", "renounces", "refused"), [
        (False, True, True), (True, True, False), (True, False, False), (False, False, False)])
    def test_renouncing_needs_benefits_to_renounce(self, keeps, renounces, refused):
        errors = rules.benefits_errors(claims_dispenses=False, keeps_grade_benefits=keeps, renounces_benefits=renounces,
                                       has_positioning_decision=False, has_internship_derogation=False)
        assert bool(errors) is refused
        if refused:
            assert RENOUNCING_WITHOUT_BENEFITS in errors["renounces_benefits"][0]

    def test_the_step_refuses_it_next_to_the_question_and_saves_nothing(self, logged_in):
        with time_machine.travel(OPEN, tick=False):
            registration = start(logged_in)
            response = post_step(logged_in, registration, "dispenses", keeps_grade_benefits="False", renounces_benefits="True")
        assert response.status_code == 200
        assert RENOUNCING_WITHOUT_BENEFITS in error_of(text(response), "renounces_benefits")
        registration.refresh_from_db()
        assert registration.renounces_benefits is None and registration.version == 0

    def test_renouncing_kept_benefits_is_saved(self, logged_in):
        with time_machine.travel(OPEN, tick=False):
            registration = start(logged_in)
            response = post_step(logged_in, registration, "dispenses", keeps_grade_benefits="True", renounces_benefits="True")
        assert response.status_code == 302
        registration.refresh_from_db()
        assert registration.renounces_benefits and registration.keeps_grade_benefits

    def test_a_registration_saved_with_the_contradiction_is_incomplete(self):
        registration = RegistrationFactory(keeps_grade_benefits=False, renounces_benefits=True)
        assert "renounces_benefits" in rules.registration_errors(registration)


class TestStepFourStartsUnanswered:
    """No « Non » is given for the candidate: each question of step 4 is answered, or refused."""

    QUESTIONS = ["claims_dispenses", "keeps_grade_benefits", "has_positioning_decision", "has_internship_derogation"]

    def test_no_answer_is_ticked_in_advance(self, logged_in):
        with time_machine.travel(OPEN, tick=False):
            registration = start(logged_in)
            page = text(logged_in.get(reverse("exams:step", args=[registration.pk, "dispenses"])))
        radios = re.findall(r'<input[^>]*type="radio"[^>]*>', page)
        assert len(radios) == 10 and not [radio for radio in radios if "checked" in radio]
        assert registration.claims_dispenses is None and registration.keeps_grade_benefits is None

    def test_an_empty_page_is_refused_question_by_question(self, logged_in):
        with time_machine.travel(OPEN, tick=False):
            registration = start(logged_in)
            response = logged_in.post(reverse("exams:step", args=[registration.pk, "dispenses"]), {})
        page = text(response)
        assert response.status_code == 200
        assert all(french("Répondez « Oui » ou « Non ».") in error_of(page, name) for name in self.QUESTIONS)
        assert error_of(page, "renounces_benefits") is None  # asked only of those who keep benefits

    def test_keeping_benefits_asks_whether_one_renounces_them(self, logged_in):
        answers = {name: "False" for name in self.QUESTIONS} | {"keeps_grade_benefits": "True"}
        with time_machine.travel(OPEN, tick=False):
            registration = start(logged_in)
            response = logged_in.post(reverse("exams:step", args=[registration.pk, "dispenses"]), answers)
        assert french("Répondez « Oui » ou « Non ».") in error_of(text(response), "renounces_benefits")

    def test_keeping_none_needs_no_answer_on_renouncing(self, logged_in):
        with time_machine.travel(OPEN, tick=False):
            registration = start(logged_in)
            response = logged_in.post(reverse("exams:step", args=[registration.pk, "dispenses"]),
                                      {name: "False" for name in self.QUESTIONS})
        assert response.status_code == 302
        registration.refresh_from_db()
        assert (registration.keeps_grade_benefits, registration.renounces_benefits) == (False, None)

    def test_an_unanswered_step_four_leaves_the_registration_incomplete(self):
        registration = RegistrationFactory(has_positioning_decision=None)
        assert rules.registration_errors(registration) == {"has_positioning_decision": ["Répondez « Oui » ou « Non »."]}


class TestOneMessagePerField:
    def test_an_unanswered_handicap_question_shows_one_message(self, logged_in):
        with time_machine.travel(OPEN, tick=False):
            registration = start(logged_in)
            response = post_step(logged_in, registration, "amenagement", handicap="")
        page = text(response)
        assert error_count(page, "handicap") == 1
        assert french("Répondez « Oui » ou « Non ».") in error_of(page, "handicap")

    def test_an_unchosen_pathway_shows_one_french_message(self, logged_in):
        with time_machine.travel(OPEN, tick=False):
            registration = start(logged_in)
            response = post_step(logged_in, registration, "preparation", pathway="")
        page = text(response)
        assert error_count(page, "pathway") == 1
        assert "Choisissez votre voie de préparation." in error_of(page, "pathway")

    def test_a_field_refused_by_two_rules_shows_the_first(self, logged_in):
        with time_machine.travel(OPEN, tick=False):
            registration = start(logged_in)
            response = post_step(logged_in, registration, "preparation", pathway="apprentissage",
                                 apprenticeship_contract_years="", training_hours="")
        page = text(response)
        assert error_count(page, "apprenticeship_contract_years") == 1
        assert error_count(page, "training_hours") == 1


class TestFieldsOfOnePathway:
    def test_each_field_says_which_answers_ask_for_it(self, logged_in):
        with time_machine.travel(OPEN, tick=False):
            registration = start(logged_in)
            page = text(logged_in.get(reverse("exams:step", args=[registration.pk, "preparation"])))
        assert re.search(r'name="training_hours"[^>]*data-shown-for="apprentissage ex_apprentissage"', page) or \
            re.search(r'data-shown-for="apprentissage ex_apprentissage"[^>]*name="training_hours"', page)
        assert 'data-shown-for="experience"' in page
        assert 'src="/static/exams/js/step.js"' in page

    def test_answers_for_another_pathway_are_not_kept(self, logged_in):
        with time_machine.travel(OPEN, tick=False):
            registration = start(logged_in)
            post_step(logged_in, registration, "preparation", pathway="experience", experience_months="24",
                      experience_job="Technicien", experience_level="technician", experience_field="Comptabilité",
                      experience_field_related="True", diploma="bac_pro", apprenticeship_contract_years="2", training_hours="1400")
        registration.refresh_from_db()
        assert (registration.experience_months, registration.diploma) == (24, "")
        assert (registration.apprenticeship_contract_years, registration.training_hours) == (None, None)

    def test_an_organisation_is_kept_only_for_distance_learning(self, logged_in):
        with time_machine.travel(OPEN, tick=False):
            registration = start(logged_in)
            post_step(logged_in, registration, "situation", category="employee", distance_learning_organisation="CNED")
            registration.refresh_from_db()
            assert registration.distance_learning_organisation == ""
            post_step(logged_in, registration, "situation", category="distance_learning", distance_learning_organisation="CNED")
        registration.refresh_from_db()
        assert registration.distance_learning_organisation == "CNED"


class TestEveryStepPage:
    @pytest.mark.parametrize("step", [name for name, _form in STEPS])
    def test_no_select_starts_with_dashes_and_no_field_says_optional(self, logged_in, step):
        with time_machine.travel(OPEN, tick=False):
            registration = start(logged_in)
            page = text(logged_in.get(reverse("exams:step", args=[registration.pk, step])))
        assert "---------" not in page
        # Every question of the form is asked of everyone, or required whenever it is asked.
        assert "(optionnel)" not in page.lower()

    def test_the_first_line_of_each_select_says_what_to_choose(self, logged_in):
        with time_machine.travel(OPEN, tick=False):
            registration = start(logged_in)
            page = text(logged_in.get(reverse("exams:step", args=[registration.pk, "specialite"])))
        assert '<option value="" selected>Choisissez votre spécialité</option>' in page
        assert '<option value="" selected>Choisissez une langue</option>' in page


class TestSpecialtyAndOptions:
    def test_an_option_of_another_specialty_is_refused(self, logged_in):
        other = SpecialtyOption.objects.exclude(specialty__code="BAT").first()
        with time_machine.travel(OPEN, tick=False):
            registration = start(logged_in)
            response = post_step(logged_in, registration, "specialite", option=str(other.pk))
        assert "Cette option n'appartient pas à la spécialité choisie." in error_of(text(response), "option")

    def test_options_are_grouped_under_their_specialty_for_the_page_to_keep_one_group(self, logged_in):
        with time_machine.travel(OPEN, tick=False):
            registration = start(logged_in)
            page = text(logged_in.get(reverse("exams:step", args=[registration.pk, "specialite"])))
        assert 'data-options-of="specialty"' in page
        assert '<optgroup label="Maintenance des systèmes">' in page

    def test_the_specialties_are_listed_in_french_order(self, logged_in):
        with time_machine.travel(OPEN, tick=False):
            registration = start(logged_in)
            page = text(logged_in.get(reverse("exams:step", args=[registration.pk, "specialite"])))
        listed = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', page.split('name="specialty"')[1].split("</select>")[0])
        assert listed == sorted(listed, key=french_sort_key)
        assert listed.index("Aéronautique") < listed.index("Assurance")
        e_names = ["Économie sociale familiale", "Électrotechnique", "Environnement nucléaire", "Études de réalisation d'un projet de communication"]
        assert [listed.index(name) for name in e_names] == sorted(listed.index(name) for name in e_names)
        assert listed.index("Économie sociale familiale") < listed.index("Édition")


class TestFrenchOrder:
    def test_accents_and_case_only_break_ties(self):
        names = ["Assurance", "Économie sociale familiale", "Aéronautique", "édition", "Europlastics et composites", "Bâtiment", "Banque"]
        assert sorted(names, key=french_sort_key) == [
            "Aéronautique", "Assurance", "Banque", "Bâtiment", "Économie sociale familiale", "édition", "Europlastics et composites"]

    def test_the_database_sorts_specialties_the_same_way(self):
        names = list(Specialty.objects.values_list("name", flat=True))
        assert names == sorted(names, key=french_sort_key)
        assert names.index("Aéronautique") < names.index("Assurance")


class TestCategories:
    def test_an_apprentice_is_told_which_category_is_theirs(self, logged_in):
        with time_machine.travel(OPEN, tick=False):
            registration = start(logged_in)
            page = text(logged_in.get(reverse("exams:step", args=[registration.pk, "situation"])))
        assert french("Apprenti(e) ou ancien(ne) apprenti(e) qui a déjà été inscrit(e) à ce BTS : la première catégorie.") in page
        assert Category.EARLIER_SESSION.label.startswith("Déjà inscrit(e) à une session précédente")

    def test_the_pathway_tells_an_apprentice_from_a_former_one(self, logged_in):
        with time_machine.travel(OPEN, tick=False):
            registration = start(logged_in)
            page = text(logged_in.get(reverse("exams:step", args=[registration.pk, "preparation"])))
        assert french("Apprentissage : votre contrat d'apprentissage est en cours. Ex-apprenti(e) : il est terminé.") in page
        assert Pathway.EX_APPRENTISSAGE.label == "Ex-apprenti(e)"


class TestIncompleteRegistration:
    def test_each_missing_answer_names_its_question_and_step(self):
        registration = RegistrationFactory(handicap=None, language="", keeps_grade_benefits=False, renounces_benefits=True)
        answers = unfinished_answers(rules.registration_errors(registration), registration)
        assert [(a.url, a.question) for a in answers] == [
            (reverse("exams:step", args=[registration.pk, "specialite"]), "Langue vivante obligatoire"),
            (reverse("exams:step", args=[registration.pk, "dispenses"]), "Renoncez-vous à un ou plusieurs bénéfices de notes ?"),
            (reverse("exams:step", args=[registration.pk, "amenagement"]), "Handicap : demandez-vous un aménagement des épreuves ?"),
        ]

    def test_the_dashboard_links_each_missing_answer_to_its_step(self, client):
        registration = RegistrationFactory(handicap=None)
        client.force_login(registration.candidate)
        with time_machine.travel(OPEN, tick=False):
            page = text(client.get(reverse("documents:overview", args=[registration.pk])))
        step_url = reverse("exams:step", args=[registration.pk, "amenagement"])
        assert french_markup(f'<a href="{step_url}">Handicap : demandez-vous un aménagement des épreuves ?</a> (Aménagement d\'épreuves) : '
                             "Indiquez si vous demandez un aménagement des épreuves") in page
        assert "<li>Répondez OUI ou NON.</li>" not in page


def test_a_complete_registration_has_nothing_unfinished():
    registration = RegistrationFactory()
    assert unfinished_answers(rules.registration_errors(registration), registration) == []
    assert Registration.objects.count() == 1


class TestAccommodationStep:
    """The notice, E: a renewal goes by email with « demande de reconduction à l'identique »; a new
    request follows the rectorate's procedure. Both addresses come from configuration."""

    def page(self, client, settings):
        settings.ACCOMMODATION_EMAIL = "amenagements@ac-exemple.fr"
        settings.ACCOMMODATION_REQUESTS_URL = "https://www.ac-exemple.fr/amenagements-bts"
        with time_machine.travel(OPEN, tick=False):
            registration = start(client)
            return text(client.get(reverse("exams:step", args=[registration.pk, "amenagement"])))

    def test_the_renewal_address_is_a_link_with_the_words_to_write(self, logged_in, settings):
        page = self.page(logged_in, settings).split('id="accommodation-how"')[1]
        assert '<a href="mailto:amenagements@ac-exemple.fr?subject=' in page
        assert french("avec la mention « demande de reconduction à l'identique ».") in page

    def test_a_new_request_links_to_the_rectorates_page_in_a_new_window(self, logged_in, settings):
        page = self.page(logged_in, settings).split('id="accommodation-how"')[1]
        link = re.search(r'<a href="https://www\.ac-exemple\.fr/amenagements-bts"[^>]*>', page).group()
        assert 'target="_blank"' in link and 'rel="noopener"' in link and "nouvelle fenêtre" in link


class TestEmployeeCategory:
    """The notice, B: « Salariés justifiant d'une expérience professionnelle d'au moins une année »."""

    @pytest.mark.parametrize(("months", "refused"), [(None, True), (11, True), (12, False), (40, False)])
    def test_at_least_12_months_are_declared(self, months, refused):
        errors = rules.employee_errors(category=Category.EMPLOYEE, employment_months=months)
        assert bool(errors) is refused
        if months == 11:
            assert french("au moins une année d'expérience professionnelle (12 mois, notice B) ; vous avez indiqué 11 mois") in \
                french(errors["employment_months"][0])

    def test_another_category_is_asked_nothing(self):
        assert rules.employee_errors(category=Category.EARLIER_SESSION, employment_months=None) == {}

    def test_the_step_refuses_11_months_next_to_the_field_and_saves_nothing(self, logged_in):
        with time_machine.travel(OPEN, tick=False):
            registration = start(logged_in)
            response = post_step(logged_in, registration, "situation", category="employee", employment_months="11")
        assert response.status_code == 200
        assert "vous avez indiqué 11 mois" in error_of(text(response), "employment_months")
        registration.refresh_from_db()
        assert registration.category == "" and registration.employment_months is None

    def test_the_months_are_kept_only_for_an_employee(self, logged_in):
        with time_machine.travel(OPEN, tick=False):
            registration = start(logged_in)
            post_step(logged_in, registration, "situation", category="earlier_session", employment_months="30")
        registration.refresh_from_db()
        assert (registration.category, registration.employment_months) == ("earlier_session", None)
