"""The eligibility rules of the notice (section B), each at its boundary."""

import pytest

from exams import rules
from exams.models import Diploma, Pathway
from tests.factories import SpecialtyOptionFactory


@pytest.mark.parametrize(("hours", "ok"), [(674, False), (675, True)])
def test_a_one_year_apprenticeship_needs_675_hours(hours, ok):
    errors = rules.apprenticeship_hours_errors(pathway=Pathway.APPRENTISSAGE, contract_years=1, training_hours=hours)
    assert (errors == {}) is ok
    if not ok:
        assert errors["training_hours"] == ["675 heures minimum pour un contrat d'un an ; vous avez indiqué 674."]


@pytest.mark.parametrize(("hours", "ok"), [(1349, False), (1350, True)])
def test_a_two_year_apprenticeship_needs_1350_hours(hours, ok):
    errors = rules.apprenticeship_hours_errors(pathway=Pathway.EX_APPRENTISSAGE, contract_years=2, training_hours=hours)
    assert (errors == {}) is ok
    if not ok:
        assert errors["training_hours"] == ["1350 heures minimum pour un contrat de deux ans ; vous avez indiqué 1349."]


def test_1000_hours_are_enough_for_one_year_but_not_for_two():
    assert rules.apprenticeship_hours_errors(pathway=Pathway.APPRENTISSAGE, contract_years=1, training_hours=1000) == {}
    assert rules.apprenticeship_hours_errors(pathway=Pathway.APPRENTISSAGE, contract_years=2, training_hours=1000)


def test_an_apprenticeship_must_say_its_length_and_hours():
    errors = rules.apprenticeship_hours_errors(pathway=Pathway.APPRENTISSAGE, contract_years=None, training_hours=None)
    assert set(errors) == {"apprenticeship_contract_years", "training_hours"}


@pytest.mark.parametrize(("months", "ok"), [(11, False), (12, True)])
def test_eligibility_by_activity_needs_12_months(months, ok):
    errors = rules.professional_experience_errors(
        pathway=Pathway.EXPERIENCE, experience_months=months, experience_job="Technicienne", experience_level="technician",
        experience_field="Bâtiment", experience_field_related=True)
    assert (errors == {}) is ok
    if not ok:
        assert "au moins 12 mois d'activité effective (notice, B) ; vous avez indiqué 11 mois" in errors["experience_months"][0]


@pytest.mark.parametrize("pathway", [Pathway.SCOLAIRE, Pathway.EX_SCOLAIRE, Pathway.APPRENTISSAGE, Pathway.EX_APPRENTISSAGE])
def test_scolaire_and_apprentissage_need_a_level_4_diploma(pathway):
    assert rules.level_4_diploma_errors(pathway=pathway, diploma=Diploma.NONE)
    assert rules.level_4_diploma_errors(pathway=pathway, diploma="")
    for diploma in [Diploma.BAC_PRO, Diploma.BAC_TECHNO, Diploma.BAC_GENERAL, Diploma.DAEU, Diploma.LEVEL_4]:
        assert rules.level_4_diploma_errors(pathway=pathway, diploma=diploma) == {}


@pytest.mark.parametrize("pathway", [Pathway.FORMATION_CONTINUE, Pathway.EX_FORMATION_CONTINUE, Pathway.EXPERIENCE])
def test_continuing_education_and_activity_need_no_diploma_and_no_hours(pathway):
    assert rules.level_4_diploma_errors(pathway=pathway, diploma=Diploma.NONE) == {}
    assert rules.apprenticeship_hours_errors(pathway=pathway, contract_years=None, training_hours=None) == {}


def test_distance_learning_candidates_name_their_organisation():
    assert rules.distance_learning_errors(category="distance_learning", organisation=" ")
    assert rules.distance_learning_errors(category="distance_learning", organisation="CNED") == {}
    assert rules.distance_learning_errors(category="employee", organisation="") == {}


def test_a_handicap_answer_needs_the_kind_of_request():
    assert rules.accommodation_errors(handicap=None, accommodation="")
    assert rules.accommodation_errors(handicap=True, accommodation="")
    assert rules.accommodation_errors(handicap=True, accommodation="renewal") == {}
    assert rules.accommodation_errors(handicap=False, accommodation="") == {}


@pytest.mark.django_db
def test_a_specialty_with_options_needs_one_of_its_own():
    from exams.models import Specialty

    ms = Specialty.objects.get(code="MS")
    fed_option = Specialty.objects.get(code="FED").options.first()
    assert rules.option_errors(specialty=ms, option=None)
    assert rules.option_errors(specialty=ms, option=fed_option)
    assert rules.option_errors(specialty=ms, option=ms.options.get(code="B")) == {}
    assert rules.option_errors(specialty=Specialty.objects.get(code="BAT"), option=None) == {}


@pytest.mark.django_db
def test_an_option_added_or_removed_in_admin_changes_the_rule_at_once():
    """Which specialties have options is cached; adding or deleting one is seen by the next check."""
    from exams.models import Specialty

    bat = Specialty.objects.get(code="BAT")
    assert rules.option_errors(specialty=bat, option=None) == {}
    option = SpecialtyOptionFactory(specialty=bat, code="X")
    assert "comporte des options" in rules.option_errors(specialty=bat, option=None)["option"][0]
    option.delete()
    assert rules.option_errors(specialty=bat, option=None) == {}
