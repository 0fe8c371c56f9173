"""The data migration loads the notice: the 2024 session and the BTS specialties."""

import pytest

from documents.models import Requirement
from exams.models import ExamSession, Specialty
from tests.factories import paris

pytestmark = pytest.mark.django_db

R408_SPECIALTIES = {
    "Architectures en métal : conception et réalisation",
    "Bâtiment",
    "Enveloppe des bâtiments : conception et réalisation",
    "Management et économie de la construction",
    "Fluides-énergies-domotique",
    "Système constructif bois et habitat",
    "Travaux publics",
}


def test_the_2024_session_runs_from_18_october_noon_to_15_november_17h_paris_time():
    session = ExamSession.objects.get(year=2024, academy="Normandie")
    assert session.registration_opens_at == paris(2023, 10, 18, 12)
    assert session.registration_closes_at == paris(2023, 11, 15, 17)


def test_exactly_the_seven_specialties_of_the_notice_require_r408():
    """The requirement matrix decides which pieces a specialty needs (a specialty has no flag of its own)."""
    requirement = Requirement.objects.get(session__year=2024, piece_kind__code="r408")
    assert set(requirement.specialties.values_list("name", flat=True)) == R408_SPECIALTIES


def test_maintenance_des_systemes_has_options_a_to_d():
    specialty = Specialty.objects.get(name="Maintenance des systèmes")
    assert list(specialty.options.values_list("code", flat=True)) == ["A", "B", "C", "D"]


def test_fluides_energies_domotique_has_options_a_to_c():
    specialty = Specialty.objects.get(name="Fluides-énergies-domotique")
    assert list(specialty.options.values_list("code", flat=True)) == ["A", "B", "C"]


def test_sam_banque_and_maintenance_upload_their_professional_dossier_in_the_portal():
    names = set(Specialty.objects.filter(professional_dossier_in_portal=True).values_list("name", flat=True))
    assert names == {
        "Support à l'action managériale",
        "Banque, conseiller de clientèle (particuliers)",
        "Maintenance des systèmes",
    }


def test_the_national_list_is_loaded_beyond_the_specialties_the_notice_names():
    assert Specialty.objects.count() >= 75
    assert Specialty.objects.filter(name="Comptabilité et gestion").exists()
