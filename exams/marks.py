"""Marks: the CSV import of staff, and each candidate's first-group marks as exams.results reads them."""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from exams import results
from exams.models import Domain, Epreuve, Mark, MarksImport, Registration


@dataclass(frozen=True)
class ImportError_:
    line: int
    message: str


def marks_import_csv(*, session, content, group=Mark.FIRST, by=None, file_name="", file_sha256=""):
    """Import "numéro;code épreuve;note" lines (a note, « ABS » or « DISP »). Every line is checked
    first; one bad line and nothing of the file is saved. With `by`, the import itself is recorded
    (who, when, which file and how many lines: MarksImport), with the marks or not at all.
    Returns (saved count, [ImportError_])."""
    reader = csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=";" if ";" in content.splitlines()[0] else ",")
    parsed, errors = [], []
    registrations = {r.number: r for r in Registration.objects.filter(session=session).select_related("specialty")}
    epreuves = {(e.specialty_id, e.code): e for e in Epreuve.objects.all()}
    for line_number, row in enumerate(reader, start=1):
        if not row or all(not cell.strip() for cell in row):
            continue
        if line_number == 1 and row[0].strip().lower().startswith("num"):
            continue  # header
        if len(row) != 3:
            errors.append(ImportError_(line_number, _("3 colonnes attendues (numéro ; code épreuve ; note), %(n)d trouvée(s).") % {"n": len(row)}))
            continue
        number, code, raw = (cell.strip() for cell in row)
        registration = registrations.get(number)
        if registration is None:
            errors.append(ImportError_(line_number, _("Inscription « %(number)s » inconnue pour cette session.") % {"number": number}))
            continue
        epreuve = epreuves.get((registration.specialty_id, code))
        if epreuve is None:
            errors.append(ImportError_(line_number, _("Épreuve « %(code)s » inconnue pour le BTS %(specialty)s.") % {
                "code": code, "specialty": registration.specialty.name}))
            continue
        value = parse_mark(raw)
        if isinstance(value, str) and value not in (results.ABSENT, results.DISPENSED):
            errors.append(ImportError_(line_number, value))
            continue
        if value == results.DISPENSED and group == Mark.RATTRAPAGE:
            errors.append(ImportError_(line_number, _(
                "« DISP » ne vaut qu'au premier groupe : une épreuve de rattrapage a été choisie et passée "
                "(une note ou « ABS »).")))
            continue
        parsed.append((registration, epreuve, value))
    if errors:
        return 0, errors
    with transaction.atomic():
        for registration, epreuve, value in parsed:
            absent, dispensed = value == results.ABSENT, value == results.DISPENSED
            Mark.objects.update_or_create(registration=registration, epreuve=epreuve, group=group, carried_over=False,
                                          defaults={"value": None if absent or dispensed else value, "absent": absent,
                                                    "dispensed": dispensed})
        if by is not None:
            MarksImport.objects.create(session=session, group=group, file_name=file_name, sha256=file_sha256,
                                       lines=len(parsed), imported_by=by)
    return len(parsed), []


def parse_mark(raw):
    """A Decimal between 0 and 20 with at most two decimals, ABSENT (« ABS »), DISPENSED (« DISP »,
    a dispense accepted), or a French error message."""
    if raw.upper() == "ABS":
        return results.ABSENT
    if raw.upper() == "DISP":
        return results.DISPENSED
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        return _("« %(raw)s » n'est ni une note, ni « ABS », ni « DISP ».") % {"raw": raw}
    if not value.is_finite() or value < 0 or value > 20:
        return _("La note %(raw)s n'est pas entre 0 et 20.") % {"raw": raw}
    if value != value.quantize(Decimal("0.01")):
        return _("La note %(raw)s a plus de deux décimales.") % {"raw": raw}
    return value


def mark_value(mark):
    """A Mark as exams.results reads it: a Decimal, ABSENT, DISPENSED, or None when there is none."""
    if mark is None:
        return None
    return results.ABSENT if mark.absent else results.DISPENSED if mark.dispensed else mark.value


def first_group_marks(registration):
    """Each épreuve's first-group Mark, by épreuve id: a benefit or carried-over mark (`carried_over`)
    replaces the one of this session while the candidate keeps their benefits (step 4)."""
    session_marks, benefits = {}, {}
    for mark in Mark.objects.filter(registration=registration, group=Mark.FIRST):
        (benefits if mark.carried_over else session_marks)[mark.epreuve_id] = mark
    kept = {}
    for epreuve_id in session_marks.keys() | benefits.keys():
        mark = results.first_group_mark(session_marks.get(epreuve_id), benefits.get(epreuve_id),
                                        bool(registration.keeps_grade_benefits))
        if mark is not None:
            kept[epreuve_id] = mark
    return kept


def candidate_lines(registration):
    """The candidate's épreuves with their first-group marks, for exams.results."""
    marks = first_group_marks(registration)
    return [results.Line(epreuve.code, epreuve.coefficient, epreuve.domain == Domain.PROFESSIONAL, mark_value(marks.get(epreuve.pk)))
            for epreuve in Epreuve.objects.filter(specialty=registration.specialty).order_by("code")]
