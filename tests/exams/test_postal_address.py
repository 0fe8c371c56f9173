"""No confirmation without the postal address: it is printed on it (issue 15, item 4). A
registration is incomplete while « Mon compte » lacks it, the dashboard says so with a link, and
giving it makes a new version whose confirmation shows it."""

import html
import io
from datetime import date

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from documents.models import GeneratedDocument
from exams import rules
from tests.exams.test_registration import OPEN
from tests.factories import RegistrationFactory, UserFactory
from tests.text import french

pytestmark = pytest.mark.django_db

ADDRESS = {"last_name": "Martin", "first_name": "Camille", "birth_date": "2001-05-04", "address_line": "3 place Saint-Sauveur",
           "address_complement": "", "postal_code": "14000", "city": "Caen", "country": "France", "phone": ""}


WHOLE = {"address_line": "3 place Saint-Sauveur", "postal_code": "14000", "city": "Caen", "country": "France"}


@pytest.fixture
def without_address():
    candidate = UserFactory(address_line="", postal_code="", city="")
    return RegistrationFactory(candidate=candidate, version=1, completed_at=None, candidate_address=False)


def pdf_text(document):
    with document.file.open("rb") as handle:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)


@pytest.mark.parametrize(("blank", "named"), [("address_line", "adresse"), ("postal_code", "code postal"), ("city", "commune"),
                                              ("country", "pays")])
def test_each_missing_part_of_the_address_is_named(blank, named):
    candidate = UserFactory(**{**WHOLE, blank: ""})
    message = rules.postal_address_errors(candidate)["postal_address"][0]
    assert message.endswith(f"Il reste à renseigner : {named}.")


def test_several_missing_parts_are_listed_without_a_word_to_agree_with_them():
    message = rules.postal_address_errors(UserFactory(**{**WHOLE, "address_line": "", "city": ""}))["postal_address"][0]
    assert message.endswith("Il reste à renseigner : adresse, commune.")


def test_a_whole_address_is_enough():
    assert rules.postal_address_errors(UserFactory(**WHOLE, address_complement="")) == {}
    assert list(rules.postal_address_errors(UserFactory(**{**WHOLE, "city": "  "}))) == ["postal_address"]


def test_a_registration_without_address_is_incomplete(without_address):
    assert list(rules.registration_errors(without_address)) == ["postal_address"]


def test_the_dashboard_sends_to_mon_compte(client, without_address):
    client.force_login(without_address.candidate)
    with time_machine.travel(OPEN, tick=False):
        page = html.unescape(client.get(reverse("documents:overview", args=[without_address.pk])).content.decode())
    assert f'<a href="{reverse("candidates:account")}">Adresse postale</a> (Mon compte)\xa0: Indiquez votre adresse postale' in page


def test_mes_documents_says_the_address_is_what_is_missing_and_links_to_mon_compte(client, without_address):
    client.force_login(without_address.candidate)
    with time_machine.travel(OPEN, tick=False):
        page = html.unescape(client.get(reverse("documents:mine", args=[without_address.pk])).content.decode())
    assert f'<a href="{reverse("candidates:account")}">Adresse postale</a> (Mon compte)\xa0: Indiquez votre adresse postale' in page
    assert "toutes les étapes" not in page


def test_giving_the_address_makes_the_confirmation_that_shows_it(client, without_address, run_on_commit):
    client.force_login(without_address.candidate)
    with time_machine.travel(OPEN, tick=False), run_on_commit():
        assert client.post(reverse("candidates:account"), ADDRESS).status_code == 302
    without_address.refresh_from_db()
    assert without_address.version == 2 and without_address.completed_at is not None
    confirmation = GeneratedDocument.objects.get(registration=without_address, version=2, kind="confirmation")
    assert "3 place Saint-Sauveur" in pdf_text(confirmation) and "14000 Caen" in pdf_text(confirmation)


def test_a_new_phone_number_makes_no_new_version(client, run_on_commit):
    """The confirmation does not show the phone."""
    candidate = UserFactory(birth_date=date(2001, 5, 4), **WHOLE)
    registration = RegistrationFactory(candidate=candidate, version=1)
    client.force_login(candidate)
    with time_machine.travel(OPEN, tick=False), run_on_commit():
        assert client.post(reverse("candidates:account"), {**ADDRESS, "phone": "02 31 00 00 00"}).status_code == 302
    candidate.refresh_from_db()
    registration.refresh_from_db()
    assert candidate.phone and registration.version == 1


def test_a_locked_registration_gets_no_new_version(client, run_on_commit):
    registration = RegistrationFactory(status="locked", version=4)
    client.force_login(registration.candidate)
    with time_machine.travel(OPEN, tick=False), run_on_commit():
        client.post(reverse("candidates:account"), {**ADDRESS, "address_line": "1 rue Écuyère"})
    registration.refresh_from_db()
    assert registration.version == 4


class TestResidence:
    """The notice is for candidates who live in the académie: the address's département must be
    one of the session's (14, 27, 50, 61, 76 for Normandie)."""

    @pytest.mark.parametrize("postal_code", ["14000", "27000", "50100", "61000", "76600"])
    def test_an_address_in_normandie_is_accepted(self, postal_code):
        registration = RegistrationFactory(candidate=UserFactory(**{**WHOLE, "postal_code": postal_code}))
        assert rules.residence_errors(registration.candidate, registration.session) == {}

    @pytest.mark.parametrize("country", ["France", "FR", "france métropolitaine", "République française", ""])
    def test_france_written_any_usual_way_is_france(self, country):
        registration = RegistrationFactory(candidate=UserFactory(**{**WHOLE, "country": country}))
        assert rules.residence_errors(registration.candidate, registration.session) == {}

    @pytest.mark.parametrize(("postal_code", "departement"), [("20000", "2A"), ("20199", "2A"), ("20200", "2B"), ("20620", "2B"),
                                                             ("97400", "974"), ("98000", "980"), ("1400", None), ("14 000", "14")])
    def test_the_departement_of_a_postal_code(self, postal_code, departement):
        from exams.models import departement_of

        assert departement_of(postal_code) == departement

    @pytest.mark.parametrize(("postal_code", "academy", "departement"), [
        ("35000", "Rennes", "35 — Ille-et-Vilaine"), ("75005", "Paris", "75 — Paris"), ("20000", "Corse", "2A — Corse-du-Sud"),
        ("20200", "Corse", "2B — Haute-Corse"), ("97400", "La Réunion", "974 — La Réunion"), ("72000", "Nantes", "72 — Sarthe"),
    ])
    def test_outside_it_says_which_academie_to_register_with(self, postal_code, academy, departement):
        registration = RegistrationFactory(candidate=UserFactory(**{**WHOLE, "postal_code": postal_code}))
        message = rules.residence_errors(registration.candidate, registration.session)["postal_address"][0]
        assert f"Vous résidez dans le département {departement}, qui relève de l'académie de {academy} : " in message
        assert "réservée aux candidats qui résident dans l'académie de Normandie" in message
        assert "postal_address" in rules.registration_errors(registration)

    @pytest.mark.parametrize(("changes", "start"), [
        ({"country": "Belgique", "postal_code": "1000"}, "Vous résidez hors de France"),
        ({"postal_code": "98000"}, "Nous ne pouvons pas déterminer l'académie"),  # Monaco
        ({"postal_code": "98800"}, "Nous ne pouvons pas déterminer l'académie de votre adresse (code postal 98800)"),
        ({"postal_code": "97500"}, "Nous ne pouvons pas déterminer l'académie"),
        ({"postal_code": "1400"}, "Nous ne pouvons pas déterminer l'académie"),
    ])
    def test_abroad_or_undecidable_it_says_whom_to_ask(self, settings, changes, start):
        settings.DEC_EMAIL = "dec@ac-normandie.fr"
        registration = RegistrationFactory(candidate=UserFactory(**{**WHOLE, **changes}))
        message = rules.residence_errors(registration.candidate, registration.session)["postal_address"][0]
        assert message.startswith(start) and "(dec@ac-normandie.fr)" in message

    def test_the_dashboard_sends_to_mon_compte_with_the_academie_to_register_with(self, client):
        registration = RegistrationFactory(candidate=UserFactory(**{**WHOLE, "postal_code": "35000", "city": "Rennes"}))
        client.force_login(registration.candidate)
        with time_machine.travel(OPEN, tick=False):
            page = html.unescape(client.get(reverse("documents:overview", args=[registration.pk])).content.decode())
        assert french("qui relève de l'académie de Rennes : c'est auprès d'elle qu'il faut vous inscrire") in page

    def test_staff_edit_the_sessions_departements_and_an_unknown_code_is_refused(self):
        from django.core.exceptions import ValidationError

        from tests.factories import ExamSessionFactory

        session = ExamSessionFactory.build(departements="14, 27, 99")
        with pytest.raises(ValidationError, match="Département inconnu : 99"):
            session.clean()


class TestResidenceAttestedByTheDec:
    """A commune on the border, or an address the map cannot class: the DEC attests the residence,
    for the candidate's current postal code only."""

    def candidate_of(self, postal_code="35300", **changes):
        return UserFactory(**{**WHOLE, "postal_code": postal_code, **changes})

    def test_an_attested_residence_completes_the_registration_with_a_new_version(self, staff, run_on_commit):
        from exams.services import residence_attest

        registration = RegistrationFactory(candidate=self.candidate_of(), completed_at=None, version=2)
        assert "postal_address" in rules.registration_errors(registration)
        with time_machine.travel(OPEN, tick=False), run_on_commit():
            assert residence_attest(registration=registration, by=staff)
        registration.refresh_from_db()
        assert rules.registration_errors(registration) == {}
        assert (registration.residence_attested_postal_code, registration.residence_attested_by, registration.version) == (
            "35300", staff, 3)
        assert registration.completed_at == OPEN

    def test_a_new_postal_code_is_checked_again(self, staff):
        from exams.services import residence_attest

        registration = RegistrationFactory(candidate=self.candidate_of())
        residence_attest(registration=registration, by=staff)
        registration.refresh_from_db()
        registration.candidate.postal_code = "35000"
        assert "postal_address" in rules.registration_errors(registration)

    def test_a_locked_registration_or_an_address_without_postal_code_is_not_attested(self, staff):
        from exams.services import residence_attest

        locked = RegistrationFactory(candidate=self.candidate_of(), status="locked")
        assert not residence_attest(registration=locked, by=staff)
        assert not locked.residence_attested_postal_code

    def test_staff_attest_from_the_list_of_registrations(self, dec_staff_client):
        registration = RegistrationFactory(candidate=self.candidate_of())
        with time_machine.travel(OPEN, tick=False):
            response = dec_staff_client.post(reverse("admin:exams_registration_changelist"), {
                "action": "attest_residence", "_selected_action": [registration.pk]}, follow=True)
        assert "1 résidence attestée pour le code postal actuel du candidat" in html.unescape(response.content.decode())
        registration.refresh_from_db()
        assert registration.residence_attested_postal_code == "35300" and rules.registration_errors(registration) == {}


@pytest.mark.parametrize(("country", "postal_code", "academy"), [
    ("Guadeloupe", "97110", "Guadeloupe"), ("La Réunion", "97400", "La Réunion"), ("Martinique", "97200", "Martinique")])
def test_an_overseas_departement_written_as_the_country_names_its_academie(country, postal_code, academy):
    registration = RegistrationFactory(candidate=UserFactory(**{**WHOLE, "country": country, "postal_code": postal_code}))
    message = rules.residence_errors(registration.candidate, registration.session)["postal_address"][0]
    assert f"qui relève de l'académie de {academy} : c'est auprès d'elle qu'il faut vous inscrire" in message


@pytest.mark.parametrize(("country", "postal_code"), [("Nouvelle-Calédonie", "98800"), ("Polynésie française", "98714"),
                                                      ("Saint-Pierre-et-Miquelon", "97500")])
def test_an_overseas_collectivity_written_as_the_country_is_undecided_not_abroad(country, postal_code):
    registration = RegistrationFactory(candidate=UserFactory(**{**WHOLE, "country": country, "postal_code": postal_code}))
    message = rules.residence_errors(registration.candidate, registration.session)["postal_address"][0]
    assert message.startswith("Nous ne pouvons pas déterminer l'académie")
