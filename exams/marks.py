"""Marks: the CSV import of staff, and each candidate's first-group marks as exams.results reads them."""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from exams import results
from exams.models import Domain, Epreuve, Mark, Registration


@dataclass(frozen=True)
class ImportError_:
    line: int
    message: str


def marks_import_csv(*, session, content, group=Mark.FIRST):
    """Import "numéro;code épreuve;note" lines. Every line is checked first; one bad line and
    nothing of the file is saved. Returns (saved count, [ImportError_])."""
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
        if isinstance(value, str) and value != results.ABSENT:
            errors.append(ImportError_(line_number, value))
            continue
        parsed.append((registration, epreuve, value))
    if errors:
        return 0, errors
    with transaction.atomic():
        for registration, epreuve, value in parsed:
            absent = value == results.ABSENT
            Mark.objects.update_or_create(registration=registration, epreuve=epreuve, group=group,
                                          defaults={"value": None if absent else value, "absent": absent})
    return len(parsed), []


def parse_mark(raw):
    """A Decimal between 0 and 20 with at most two decimals, ABSENT, or a French error message."""
    if raw.upper() == "ABS":
        return results.ABSENT
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        return _("« %(raw)s » n'est ni une note ni « ABS ».") % {"raw": raw}
    if not value.is_finite() or value < 0 or value > 20:
        return _("La note %(raw)s n'est pas entre 0 et 20.") % {"raw": raw}
    if value != value.quantize(Decimal("0.01")):
        return _("La note %(raw)s a plus de deux décimales.") % {"raw": raw}
    return value


def candidate_lines(registration):
    """The candidate's épreuves with their first-group marks, for exams.results."""
    marks = {m.epreuve_id: m for m in Mark.objects.filter(registration=registration, group=Mark.FIRST)}
    lines = []
    for epreuve in Epreuve.objects.filter(specialty=registration.specialty).order_by("code"):
        mark = marks.get(epreuve.pk)
        value = None if mark is None else (results.ABSENT if mark.absent else mark.value)
        lines.append(results.Line(epreuve.code, epreuve.coefficient, epreuve.domain == Domain.PROFESSIONAL, value))
    return lines
