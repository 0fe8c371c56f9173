"""What the menu and the home page show of a logged-in candidate's current registration."""

from functools import cached_property

from documents.progress import registration_standing
from exams.models import Registration, RegistrationStatus
from exams.transcripts import Shown, results_shown


class CandidateSpace:
    """Read when a page first asks, in one query: the candidate's latest registration, whether
    a convocation is published (« Mes convocations ») and whether it has marks (« Mes résultats »)."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def _row(self):
        return Registration.objects.for_menu(self.user)

    @cached_property
    def _values(self):
        row = self._row
        if row is None:
            return {}
        return {"pk": row.registration_pk, "session_id": row.pk, "status": row.registration_status,
                "has_convocation": bool(row.has_convocation), "has_results": bool(row.has_results)}

    @property
    def registration_pk(self):
        return self._values.get("pk")

    @property
    def session_id(self):
        return self._values.get("session_id")

    @property
    def registration_is_draft(self):
        """Whether there is still something to fill in (« Continuer mon inscription ») or only to see."""
        return self._values.get("status") == RegistrationStatus.DRAFT

    @property
    def has_convocation(self):
        return self._values.get("has_convocation", False)

    @cached_property
    def has_results(self):
        """« Mes résultats » holds something: marks, once the session publishes them, or, while the
        rattrapage choice is open, the choice of those the first group sends to it (exams/transcripts.py
        decides; the others see no entry that would lead to an empty page)."""
        if not self._values.get("has_results"):
            return False
        session = self._row  # its publication dates only
        if session.results_are_published():
            return True
        if not session.rattrapage_choice_is_open():
            return False
        registration = Registration.objects.select_related("session", "specialty").get(pk=self.registration_pk)
        return results_shown(registration) == Shown.RATTRAPAGE_CHOICE

    @property
    def menu_key(self):
        """What the menu shows of the candidate, for its cached fragment (templates/base.html)."""
        return f"{self.registration_pk}-{self.has_convocation:d}-{self.has_results:d}"

    @cached_property
    def standing(self):
        """Only the home page asks: its alert when a piece is to replace."""
        if self.registration_pk is None:
            return None
        registration = Registration.objects.select_related("session", "specialty", "option").get(pk=self.registration_pk)
        return registration_standing(registration)


def candidate_space(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"candidate_space": CandidateSpace(user)}
