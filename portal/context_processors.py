"""What the menu and the home page show of a logged-in candidate's current registration."""

from functools import cached_property

from django.db.models import Exists, OuterRef

from documents.progress import registration_standing
from exams.models import Convocation, ExamSession, Mark, Registration, RegistrationStatus


class CandidateSpace:
    """Read when a page first asks, in one query: the candidate's latest registration, whether
    a convocation is published (« Mes convocations ») and whether it has marks (« Mes résultats »)."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def _row(self):
        return (Registration.objects.filter(candidate=self.user)
                .annotate(has_convocation=Exists(Convocation.objects.filter(registration__candidate=OuterRef("candidate"))),
                          has_results=Exists(Mark.objects.filter(registration=OuterRef("pk"))))
                .order_by("-session__registration_closes_at", "-created_at")
                .values("pk", "session_id", "status", "has_convocation", "has_results", "session__results_published_at",
                        "session__first_group_results_published_at", "session__rattrapage_choice_deadline").first()) or {}

    @property
    def registration_pk(self):
        return self._row.get("pk")

    @property
    def session_id(self):
        return self._row.get("session_id")

    @property
    def registration_is_draft(self):
        """Whether there is still something to fill in (« Continuer mon inscription ») or only to see."""
        return self._row.get("status") == RegistrationStatus.DRAFT

    @property
    def has_convocation(self):
        return self._row.get("has_convocation", False)

    @property
    def has_results(self):
        """« Mes résultats » holds something: marks, once the session publishes them, or while the
        rattrapage choice is open (the page then shows only that, to those concerned)."""
        if not self._row.get("has_results"):
            return False
        session = ExamSession(results_published_at=self._row["session__results_published_at"],
                              first_group_results_published_at=self._row["session__first_group_results_published_at"],
                              rattrapage_choice_deadline=self._row["session__rattrapage_choice_deadline"])
        return session.results_are_published() or session.rattrapage_choice_is_open()

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
