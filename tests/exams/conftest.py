import pytest

from exams.models import RegistrationStatus, Specialty
from tests.exams.helpers import RATTRAPAGE_MARKS, give_marks
from tests.factories import RegistrationFactory, paris


@pytest.fixture
def bat():
    """BTS Bâtiment as the migrations load it, with its seven épreuves and their coefficients."""
    return Specialty.objects.get(code="BAT")


@pytest.fixture
def locked(candidate, bat):
    """The candidate's registration to BTS Bâtiment, locked: what convocations, marks and results are about."""
    return RegistrationFactory(candidate=candidate, specialty=bat, status=RegistrationStatus.LOCKED)


FIRST_GROUP_PUBLISHED = paris(2024, 7, 5, 10)
RATTRAPAGE_DEADLINE = paris(2024, 7, 8, 12)
RESULTS_PUBLISHED = paris(2024, 7, 12, 10)


@pytest.fixture
def eligible(locked):
    """Locked, with first-group marks that open the second group. The first group's results are
    published on 5 July 2024 at 10:00, the choice closes on 8 July at 12:00, and the session's
    results are published on 12 July at 10:00."""
    give_marks(locked, RATTRAPAGE_MARKS)
    session = locked.session
    session.first_group_results_published_at, session.rattrapage_choice_deadline = FIRST_GROUP_PUBLISHED, RATTRAPAGE_DEADLINE
    session.results_published_at = RESULTS_PUBLISHED
    session.save()
    return locked
