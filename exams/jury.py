"""The jury's decisions: recorded once the marks give a final result, the computed decision by
default, confirmed by a member of the jury (or changed by them), with who and when."""

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exams import results
from exams.marks import candidate_lines
from exams.models import JuryDecision, Mark, RattrapageChoice, Registration, Verdict
from exams.rattrapage import rattrapage_declined, rattrapage_marks

VERDICT_OF = {results.Decision.ADMIS: Verdict.ADMIS, results.Decision.REFUSE: Verdict.REFUSE}


def computed_verdict(registration):
    """What the marks decide on their own: admis(e), refusé(e), or None while a mark or the
    rattrapage is still to come."""
    return VERDICT_OF.get(results.final_decision(candidate_lines(registration), rattrapage_marks(registration),
                                                 declined=rattrapage_declined(registration)))


def marks_digest(registration):
    """A fingerprint of what the decision is computed from: every mark of the registration (both
    groups, benefits, absences, dispenses), the épreuves chosen for the second group, and whether
    the candidate keeps their benefits. Any later change of one of them, however written, changes it."""
    pk = getattr(registration, "pk", registration)
    rows = Mark.objects.filter(registration_id=pk).order_by("epreuve_id", "group", "carried_over").values_list(
        "epreuve_id", "group", "carried_over", "value", "absent", "dispensed")
    chosen = sorted(RattrapageChoice.epreuves.through.objects.filter(rattrapagechoice__registration_id=pk)
                    .values_list("epreuve_id", flat=True))
    keeps = Registration.objects.filter(pk=pk).values_list("keeps_grade_benefits", flat=True).first()
    facts = [[(*row[:3], str(row[3]), *row[4:]) for row in rows], chosen, keeps]
    return hashlib.sha256(repr(facts).encode()).hexdigest()


def decision_is_stale(decision):
    """A mark changed since the jury confirmed the decision: it is to confirm again, and until then
    the candidate sees it awaited (exams/transcripts.py). A decision recorded before digests is current."""
    return bool(decision.marks_digest) and decision.marks_digest != marks_digest(decision.registration_id)


def jury_decision_confirm(*, registration, by, verdict=None, at=None):
    """Record the jury's decision on `registration`: `verdict`, or the computed one. Refused while
    the marks decide nothing yet. Confirming again records the new decision and keeps the old one
    in the history."""
    at = at or timezone.now()
    computed = computed_verdict(registration)
    if computed is None:
        raise ValidationError(_("%(number)s : les notes ne permettent pas encore de décision (note ou rattrapage "
                                "attendu).") % {"number": registration.number})
    with transaction.atomic():
        decision, _created = JuryDecision.objects.update_or_create(
            registration=registration,
            defaults={"verdict": verdict or computed, "computed": computed, "confirmed_by": by, "confirmed_at": at,
                      "marks_digest": marks_digest(registration)})
    return decision
