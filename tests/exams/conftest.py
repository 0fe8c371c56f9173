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


@pytest.fixture
def eligible(locked):
    """Locked, with first-group marks that open the second group; the choice closes on 8 July 2024 at 12:00."""
    give_marks(locked, RATTRAPAGE_MARKS)
    locked.session.rattrapage_choice_deadline = paris(2024, 7, 8, 12)
    locked.session.save()
    return locked
