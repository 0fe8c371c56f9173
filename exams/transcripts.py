"""What « Mes résultats » and the relevé de notes show: each épreuve's marks, the averages, the decision."""

from decimal import Decimal
from enum import StrEnum

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.pdf import render_pdf
from exams import results
from exams.jury import decision_is_stale
from exams.marks import candidate_lines, first_group_marks
from exams.models import Domain, Epreuve, JuryDecision, Verdict
from exams.rattrapage import rattrapage_declined, rattrapage_marks

AWAITING_JURY = "awaiting_jury"  # the marks decide, the jury has not confirmed yet
DECISION_LABELS = {
    AWAITING_JURY: _("en attente de la délibération du jury"),
    results.Decision.PENDING: _("en attente des notes"),
    results.Decision.RATTRAPAGE: _("admis(e) à l'épreuve de rattrapage"),
    results.Decision.ADMIS: _("admis(e)"),
    results.Decision.REFUSE: _("refusé(e)"),
}


def _display(mark):
    if mark is None:
        return None
    if mark == results.ABSENT:
        return "ABS"
    if mark == results.DISPENSED:
        return str(_("dispense"))
    return f"{mark:.2f}".replace(".", ",")


class Shown(StrEnum):
    """What « Mes résultats » may show a candidate at a given moment."""

    RESULTS = "results"  # the session's results are published: marks, averages, the decision
    RATTRAPAGE_CHOICE = "rattrapage_choice"  # only that they are admitted to the second group, to choose
    NOTHING_YET = "nothing_yet"


def results_shown(registration, at=None):
    """Nothing of the marks shows before `ExamSession.results_are_published`, except to those the
    first group sends to the rattrapage, once its results are published: that they are, to choose."""
    at = at or timezone.now()
    session = registration.session
    if session.results_are_published(at):
        return Shown.RESULTS
    published_first = session.first_group_results_published_at
    if published_first and at >= published_first and \
            results.first_group_decision(candidate_lines(registration)) == results.Decision.RATTRAPAGE:
        return Shown.RATTRAPAGE_CHOICE
    return Shown.NOTHING_YET


def decision_shown(registration, computed):
    """« admis(e) » or « refusé(e) » only as the jury recorded it (exams/jury.py), never straight from
    the marks: until the jury confirms, or confirms again after a mark changed, the decision is awaited."""
    if computed not in (results.Decision.ADMIS, results.Decision.REFUSE):
        return computed
    jury = JuryDecision.objects.filter(registration=registration).only("verdict", "marks_digest", "registration_id").first()
    if jury is None or decision_is_stale(jury):
        return AWAITING_JURY
    return results.Decision.ADMIS if jury.verdict == Verdict.ADMIS else results.Decision.REFUSE


def results_summary(registration):
    """What the candidate and the transcript show: each épreuve, the averages, the decision."""
    lines = candidate_lines(registration)
    second = rattrapage_marks(registration)
    epreuves = {e.code: e for e in Epreuve.objects.filter(specialty=registration.specialty)}
    benefits = {mark.epreuve_id for mark in first_group_marks(registration).values() if mark.carried_over}
    decision = decision_shown(registration, results.final_decision(lines, second, declined=rattrapage_declined(registration)))
    kept_lines = results.with_rattrapage(lines, {k: v for k, v in second.items() if v is not None})
    rows = [{"code": line.code, "title": epreuves[line.code].title, "coefficient": line.coefficient,
             "epreuve": epreuves[line.code], "first": _display(line.mark), "second": _display(second.get(line.code)),
             "kept": _display(kept.mark), "benefit": epreuves[line.code].pk in benefits,
             "dispensed": line.mark == results.DISPENSED}
            for line, kept in zip(lines, kept_lines, strict=True)]
    general, professional = results.general_average(kept_lines), results.professional_average(kept_lines)
    first_general = results.general_average(lines)
    needed = {}
    if results.first_group_decision(lines) == results.Decision.RATTRAPAGE:
        needed = {line.code: _display(results.mark_needed_for_ten(lines, line.code))
                  for line in lines if epreuves[line.code].domain == Domain.GENERAL and line.mark != results.DISPENSED}
        for row in rows:
            row["needed"] = needed.get(row["code"])
    return {"rows": rows, "decision": decision, "decision_label": DECISION_LABELS[decision],
            "general": _display(general.quantize(Decimal("0.01")) if general is not None else None),
            "professional": _display(professional.quantize(Decimal("0.01")) if professional is not None else None),
            "first_general": first_general, "needed": needed, "chosen": set(second)}


def transcript_pdf(registration, summary):
    """The « relevé de notes » of a decided registration, as PDF bytes."""
    return render_pdf("exams/pdf/transcript.html", {
        "registration": registration, "candidate": registration.candidate, "rows": summary["rows"],
        "general": summary["general"], "professional": summary["professional"], "decision": summary["decision_label"]})
