"""The rattrapage (exams/rattrapage.py): a candidate whom the first group sends to the second
chooses two general-domain épreuves before the session's deadline; nobody else can."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from exams import rattrapage
from exams.models import Epreuve
from tests.exams.helpers import give_marks
from tests.factories import paris

pytestmark = pytest.mark.django_db


def epreuves(registration, *codes):
    return [Epreuve.objects.get(specialty=registration.specialty, code=code) for code in codes]


def test_two_general_epreuves_are_chosen_before_the_deadline(eligible):
    e1, e2, e4 = epreuves(eligible, "E1", "E2", "E4")
    with pytest.raises(ValidationError):
        rattrapage.rattrapage_choose(registration=eligible, epreuves=[e1], at=paris(2024, 7, 7))
    with pytest.raises(ValidationError):
        rattrapage.rattrapage_choose(registration=eligible, epreuves=[e1, e4], at=paris(2024, 7, 7))
    with pytest.raises(PermissionDenied):
        rattrapage.rattrapage_choose(registration=eligible, epreuves=[e1, e2], at=paris(2024, 7, 8, 12, 1))
    choice = rattrapage.rattrapage_choose(registration=eligible, epreuves=[e1, e2], at=paris(2024, 7, 8, 12))
    assert set(choice.epreuves.values_list("code", flat=True)) == {"E1", "E2"}


def test_the_choice_opens_when_the_first_group_is_published_not_a_minute_before(eligible):
    e1, e2 = epreuves(eligible, "E1", "E2")
    with pytest.raises(PermissionDenied, match="pas encore ouvert"):
        rattrapage.rattrapage_choose(registration=eligible, epreuves=[e1, e2], at=paris(2024, 7, 5, 9, 59))
    assert rattrapage.rattrapage_choose(registration=eligible, epreuves=[e1, e2], at=paris(2024, 7, 5, 10))


def test_without_a_first_group_publication_the_choice_never_opens(eligible):
    eligible.session.first_group_results_published_at = None
    eligible.session.save()
    with pytest.raises(PermissionDenied):
        rattrapage.rattrapage_choose(registration=eligible, epreuves=epreuves(eligible, "E1", "E2"), at=paris(2024, 7, 7))


def test_a_candidate_without_rattrapage_cannot_choose(locked):
    # general average 8.82 but professional average 7: refused, no second group
    give_marks(locked, {"E1": "12", "E2": "12", "E31": "12", "E32": "12", "E4": "7", "E5": "7", "E6": "7"})
    locked.session.first_group_results_published_at = paris(2024, 7, 5, 10)
    locked.session.rattrapage_choice_deadline = paris(2024, 7, 8, 12)
    locked.session.save()
    with pytest.raises(PermissionDenied):
        rattrapage.rattrapage_choose(registration=locked, epreuves=epreuves(locked, "E1", "E2"), at=paris(2024, 7, 7))


class TestWithADispensedEpreuve:
    """A dispensed épreuve counts neither for nor against: it is not repassed at the second group."""

    @pytest.fixture
    def dispensed_e1(self, locked):
        from exams.models import Mark

        # (2×4 + 2×4 + 4 + 14×12) / 19 = 9.89, E1 out of the averages: the second group
        give_marks(locked, {"E2": "4", "E31": "4", "E32": "4", "E4": "12", "E5": "12", "E6": "12"})
        Mark.objects.create(registration=locked, epreuve=epreuves(locked, "E1")[0], dispensed=True)
        session = locked.session
        session.first_group_results_published_at, session.rattrapage_choice_deadline = paris(2024, 7, 5, 10), paris(2024, 7, 8, 12)
        session.results_published_at = paris(2024, 7, 12, 10)
        session.save()
        return locked

    def test_it_cannot_be_chosen(self, dispensed_e1):
        with pytest.raises(ValidationError, match="dispensé"):
            rattrapage.rattrapage_choose(registration=dispensed_e1, epreuves=epreuves(dispensed_e1, "E1", "E31"),
                                         at=paris(2024, 7, 6))

    def test_it_is_neither_offered_nor_priced(self, dispensed_e1):
        from exams.transcripts import results_summary

        summary = results_summary(dispensed_e1)
        assert "E1" not in summary["needed"] and set(summary["needed"]) == {"E2", "E31", "E32"}


def test_a_candidate_who_chose_nothing_by_the_deadline_is_refused_on_the_first_group(eligible):
    import time_machine

    from exams.jury import computed_verdict
    from exams.models import Verdict

    with time_machine.travel(paris(2024, 7, 8, 12), tick=False):
        assert computed_verdict(eligible) is None  # the choice is still open: the second group is awaited
    with time_machine.travel(paris(2024, 7, 8, 12, 1), tick=False):
        assert computed_verdict(eligible) == Verdict.REFUSE
