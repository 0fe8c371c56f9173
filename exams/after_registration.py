"""After the registration: convocations, marks, the rattrapage choice and the decision."""

import csv
import io
from dataclasses import dataclass
from datetime import UTC, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from exams import results
from exams.models import Convocation, Domain, Epreuve, ExamSlot, Mark, RattrapageChoice, Registration, RegistrationStatus

CONVOCATION_NOTICE = timedelta(days=15)
UNOPENED_REMINDER = timedelta(days=10)


# Convocations ---------------------------------------------------------------------------

def first_slot(session, specialty):
    return ExamSlot.objects.filter(session=session, epreuve__specialty=specialty).order_by("starts_at").first()


def convocations_publish(*, session, specialty, at=None):
    """Put the convocations of a specialty in each locked candidate's space, at least 15 days
    before the first épreuve concerned (the notice, H). Publishing again adds only the missing."""
    from exams.tasks import render_convocation

    at = at or timezone.now()
    first = first_slot(session, specialty)
    if first is None:
        raise PermissionDenied(_("Aucune épreuve de cette spécialité n'est programmée."))
    if first.starts_at - at < CONVOCATION_NOTICE:
        raise PermissionDenied(_(
            "Publication refusée : la première épreuve (%(epreuve)s, le %(date)s) est dans moins de 15 jours. "
            "Les convocations doivent être mises à disposition au moins 15 jours avant."
        ) % {"epreuve": first.epreuve, "date": date_format(timezone.localtime(first.starts_at), "DATETIME_FORMAT")})
    published = 0
    registrations = Registration.objects.filter(session=session, specialty=specialty, status=RegistrationStatus.LOCKED,
                                                convocation__isnull=True)
    for registration in registrations.select_related("candidate"):
        with transaction.atomic():
            convocation, created = Convocation.objects.get_or_create(registration=registration, defaults={"published_at": at})
            if created:
                transaction.on_commit(lambda pk=convocation.pk: render_convocation.delay(pk))
                published += 1
    return published


def convocation_slots(registration):
    return list(ExamSlot.objects.filter(session=registration.session, epreuve__specialty=registration.specialty)
                .select_related("epreuve").order_by("starts_at"))


def convocation_ics(registration):
    """The candidate's épreuves as an iCalendar file (RFC 5545)."""
    def stamp(moment):
        return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    def text(value):
        return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")

    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Rectorat//Inscriptions BTS//FR", "CALSCALE:GREGORIAN"]
    for slot in convocation_slots(registration):
        lines += [
            "BEGIN:VEVENT", f"UID:bts-{registration.number}-{slot.epreuve.code}@inscriptions-bts",
            f"DTSTAMP:{stamp(timezone.now())}", f"DTSTART:{stamp(slot.starts_at)}",
            f"DTEND:{stamp(slot.starts_at + timedelta(minutes=slot.duration_minutes))}",
            f"SUMMARY:{text(f'BTS {registration.specialty.name} — {slot.epreuve.code} {slot.epreuve.title}')}",
            f"LOCATION:{text(slot.place)}", "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def unopened_convocations_report(*, at=None):
    """Ten days before a specialty's first épreuve, tell staff who has not opened their convocation, once.

    The report goes through the outbox like every email: recorded under a key of its session
    and specialty (unique in the database, so once whatever the runs or a flushed cache), then
    delivered and retried by the queue.
    """
    from django.conf import settings

    from candidates.models import Message
    from portal.emails import email_send

    at = at or timezone.now()
    sent = 0
    for slot in ExamSlot.objects.filter(starts_at__gt=at, starts_at__lte=at + UNOPENED_REMINDER).select_related("epreuve__specialty", "session"):
        first = first_slot(slot.session, slot.epreuve.specialty)
        if first.pk != slot.pk:
            continue
        event_key = f"unopened-report:{slot.session_id}:{slot.epreuve.specialty_id}"
        if Message.objects.filter(event_key=event_key).exists():
            continue
        unopened = list(Convocation.objects.filter(registration__session=slot.session, registration__specialty=slot.epreuve.specialty,
                                                   opened_at__isnull=True).select_related("registration__candidate"))
        email_send(user=None, to_email=settings.DEC_EMAIL, template="unopened_convocations", event_key=event_key,
                   context={"specialty": slot.epreuve.specialty, "convocations": unopened, "first_starts_at": slot.starts_at})
        sent += 1
    return sent


# Marks ------------------------------------------------------------------------------------

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


# Results ----------------------------------------------------------------------------------

def candidate_lines(registration):
    """The candidate's épreuves with their first-group marks, for exams.results."""
    marks = {m.epreuve_id: m for m in Mark.objects.filter(registration=registration, group=Mark.FIRST)}
    lines = []
    for epreuve in Epreuve.objects.filter(specialty=registration.specialty).order_by("code"):
        mark = marks.get(epreuve.pk)
        value = None if mark is None else (results.ABSENT if mark.absent else mark.value)
        lines.append(results.Line(epreuve.code, epreuve.coefficient, epreuve.domain == Domain.PROFESSIONAL, value))
    return lines


def rattrapage_marks(registration):
    choice = RattrapageChoice.objects.filter(registration=registration).prefetch_related("epreuves").first()
    if choice is None:
        return {}
    marks = {m.epreuve_id: m for m in Mark.objects.filter(registration=registration, group=Mark.RATTRAPAGE)}
    return {e.code: (None if e.pk not in marks else (results.ABSENT if marks[e.pk].absent else marks[e.pk].value))
            for e in choice.epreuves.all()}


def rattrapage_choose(*, registration, epreuves, at=None):
    """Record the two general-domain épreuves of the second group, before the deadline staff set."""
    at = at or timezone.now()
    deadline = registration.session.rattrapage_choice_deadline
    if deadline is None or at > deadline:
        raise PermissionDenied(_("Le choix des épreuves de rattrapage est clos."))
    if results.first_group_decision(candidate_lines(registration)) != results.Decision.RATTRAPAGE:
        raise PermissionDenied(_("Le rattrapage n'est pas ouvert pour votre inscription."))
    epreuves = list(epreuves)
    if len({e.pk for e in epreuves}) != 2:
        raise ValidationError(_("Choisissez exactement deux épreuves."))
    if any(e.specialty_id != registration.specialty_id or e.domain != Domain.GENERAL for e in epreuves):
        raise ValidationError(_("Les épreuves de rattrapage se choisissent parmi celles du domaine général."))
    with transaction.atomic():
        choice, _created = RattrapageChoice.objects.update_or_create(registration=registration, defaults={"chosen_at": at})
        choice.epreuves.set(epreuves)
    return choice


