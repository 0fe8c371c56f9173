"""The rattrapage: the two general-domain épreuves a candidate chooses, and their marks."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exams import results
from exams.marks import candidate_lines
from exams.models import Domain, Mark, RattrapageChoice


def rattrapage_marks(registration):
    choice = RattrapageChoice.objects.filter(registration=registration).prefetch_related("epreuves").first()
    if choice is None:
        return {}
    marks = {m.epreuve_id: m for m in Mark.objects.filter(registration=registration, group=Mark.RATTRAPAGE)}
    return {e.code: (None if e.pk not in marks else (results.ABSENT if marks[e.pk].absent else marks[e.pk].value))
            for e in choice.epreuves.all()}


def rattrapage_declined(registration, at=None):
    """The choice's deadline has passed and the candidate chose nothing: they do not sit the second
    group, and the first group's marks decide (below 10 on average: refused, the notice, G)."""
    at = at or timezone.now()
    deadline = registration.session.rattrapage_choice_deadline
    return bool(deadline and at > deadline) and not RattrapageChoice.objects.filter(registration=registration).exists()


def rattrapage_choose(*, registration, epreuves, at=None):
    """Record the two general-domain épreuves of the second group, while the choice is open (from
    the first group's publication to the deadline staff set)."""
    at = at or timezone.now()
    session = registration.session
    if not session.rattrapage_choice_is_open(at):
        if session.first_group_results_published_at is None or at < session.first_group_results_published_at:
            raise PermissionDenied(_("Le choix des épreuves de rattrapage n'est pas encore ouvert."))
        raise PermissionDenied(_("Le choix des épreuves de rattrapage est clos."))
    lines = candidate_lines(registration)
    if results.first_group_decision(lines) != results.Decision.RATTRAPAGE:
        raise PermissionDenied(_("Le rattrapage n'est pas ouvert pour votre inscription."))
    epreuves = list(epreuves)
    if len({e.pk for e in epreuves}) != 2:
        raise ValidationError(_("Choisissez exactement deux épreuves."))
    if any(e.specialty_id != registration.specialty_id or e.domain != Domain.GENERAL for e in epreuves):
        raise ValidationError(_("Les épreuves de rattrapage se choisissent parmi celles du domaine général."))
    dispensed = {line.code for line in lines if line.mark == results.DISPENSED}
    if any(e.code in dispensed for e in epreuves):
        raise ValidationError(_("Une épreuve dont vous êtes dispensé(e) ne compte pas dans les moyennes : elle ne se "
                                "repasse pas au rattrapage. Choisissez-en une autre."))
    with transaction.atomic():
        choice, _created = RattrapageChoice.objects.update_or_create(registration=registration, defaults={"chosen_at": at})
        choice.epreuves.set(epreuves)
    return choice
