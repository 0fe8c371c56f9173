from datetime import timedelta
from decimal import Decimal

from exams.models import Epreuve, Mark
from tests.factories import ExamSlotFactory, MarkFactory

# BTS Bâtiment's épreuves, as the migrations load them: general E1 (coefficient 3), E2 (2, the
# language), E31 (2), E32 (1); professional E4 (5), E5 (5), E6 (4). Total 22. These marks give an
# average of 200/22 = 9.09 and a professional average of 12: the second group is open.
RATTRAPAGE_MARKS = {"E1": "4", "E2": "4", "E31": "4", "E32": "4", "E4": "12", "E5": "12", "E6": "12"}


def schedule(session, specialty, first_at):
    """Every épreuve of the specialty, one a day from `first_at` in code order, in Caen; the
    language in the académie de Rennes."""
    for offset, epreuve in enumerate(Epreuve.objects.filter(specialty=specialty).order_by("code")):
        ExamSlotFactory(session=session, epreuve=epreuve, starts_at=first_at + timedelta(days=offset),
                        academy="Rennes" if epreuve.is_language else "Normandie")


def give_marks(registration, marks, group=Mark.FIRST):
    """`marks` by épreuve code, each a number as a string or "ABS"."""
    for code, value in marks.items():
        MarkFactory(registration=registration, epreuve=Epreuve.objects.get(specialty=registration.specialty, code=code),
                    group=group, value=None if value == "ABS" else Decimal(value), absent=value == "ABS")


def confirm_jury(registration, verdict=None):
    """The jury confirms the decision the marks give (or records `verdict`), as a member of « Jury »."""
    from exams.jury import jury_decision_confirm
    from tests.factories import StaffFactory

    return jury_decision_confirm(registration=registration, by=StaffFactory(), verdict=verdict)

