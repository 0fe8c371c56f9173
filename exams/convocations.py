"""Convocations: published 15 days before the first épreuve (the notice, H), as a PDF, an
iCalendar file, and a report to staff of those not opened ten days before."""

from datetime import UTC, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from candidates.models import Message
from candidates.outbox import email_send
from common.pdf import render_pdf
from exams.models import Convocation, ConvocationVersion, ExamSlot, Registration
from exams.tasks import render_convocation as render_convocation_task

CONVOCATION_NOTICE = timedelta(days=15)
UNOPENED_REMINDER = timedelta(days=10)


def first_slot(session, specialty):
    return ExamSlot.objects.filter(session=session, epreuve__specialty=specialty).order_by("starts_at").first()


def convocations_publish(*, session, specialty, at=None):
    """Put the convocations of a specialty in each locked candidate's space, at least 15 days
    before the first épreuve concerned (the notice, H). Publishing again adds only the missing."""
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
    registrations = Registration.objects.locked().filter(session=session, specialty=specialty,
                                                convocation__isnull=True)
    for registration in registrations.select_related("candidate"):
        with transaction.atomic():
            convocation, created = Convocation.objects.get_or_create(registration=registration, defaults={"published_at": at})
            if created:
                transaction.on_commit(lambda pk=convocation.pk: render_convocation_task.delay(pk))
                published += 1
    return published


def slots_of_language(slots, language):
    """One slot per épreuve for a candidate of `language`: a language épreuve's slot of that
    language where it has one (it may be in another académie, the notice, F), else its slot for
    every language."""
    chosen = {}
    for slot in slots:
        if slot.language and slot.language != language:
            continue
        if slot.epreuve_id not in chosen or slot.language:
            chosen[slot.epreuve_id] = slot
    return sorted(chosen.values(), key=lambda slot: slot.starts_at)


def convocation_slots(registration):
    """The candidate's épreuves, when and where, for their specialty and their language."""
    slots = ExamSlot.objects.filter(session=registration.session, epreuve__specialty=registration.specialty)
    return slots_of_language(slots.select_related("epreuve").order_by("starts_at"), registration.language)


def convocations_on(slot):
    """The convocations a slot is on: its specialty's, and for a language épreuve's slot only those of
    its language (or, for the slot of every language, those whose language has no slot of its own)."""
    convocations = Convocation.objects.filter(registration__session_id=slot.session_id,
                                              registration__specialty_id=slot.epreuve.specialty_id)
    if not slot.epreuve.is_language:
        return convocations
    if slot.language:
        return convocations.filter(registration__language=slot.language)
    own = ExamSlot.objects.filter(session_id=slot.session_id, epreuve_id=slot.epreuve_id).exclude(language="")
    return convocations.exclude(registration__language__in=own.exclude(pk=slot.pk).values("language"))


def slot_location(slot, registration):
    """Where an épreuve takes place, as the PDF and the calendar both say it."""
    if slot.academy != registration.session.academy:
        return _("%(place)s (académie de %(academy)s)") % {"place": slot.place, "academy": slot.academy}
    return slot.place


def slot_title(slot, registration):
    """The épreuve as the PDF and the calendar both name it: a language épreuve with the candidate's
    language (« E2 — Langue vivante étrangère A (italien) »), unless its title already says it."""
    title = f"{slot.epreuve.code} — {slot.epreuve.title}"
    if slot.epreuve.is_language and registration.language:
        language = registration.get_language_display().lower()
        if language not in slot.epreuve.title.lower():
            title = f"{title} ({language})"
    return title


def convocation_ics(registration, slots=None, sequence=0):
    """The candidate's épreuves as an iCalendar file (RFC 5545, written by the icalendar library:
    line folding at 75 octets, escaping). Each épreuve keeps its UID from one version to the next,
    and SEQUENCE is the convocation's version, so a calendar updates the event instead of adding one."""
    calendar = Calendar()
    calendar.add("prodid", "-//Rectorat//Inscriptions BTS//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    for slot in convocation_slots(registration) if slots is None else slots:
        event = Event()
        event.add("uid", f"bts-{registration.number}-{slot.epreuve.code}@inscriptions-bts")
        event.add("dtstamp", timezone.now().astimezone(UTC))
        event.add("dtstart", slot.starts_at.astimezone(UTC))
        event.add("dtend", (slot.starts_at + timedelta(minutes=slot.duration_minutes)).astimezone(UTC))
        event.add("sequence", sequence)
        event.add("summary", f"BTS {registration.specialty.name} — {slot_title(slot, registration)}")
        event.add("location", slot_location(slot, registration))
        calendar.add_component(event)
    return calendar.to_ical().decode()


SLOT_FIELDS_ON_A_CONVOCATION = ("starts_at", "duration_minutes", "place", "academy")


def slot_changed_after_publication(*, slot, before, at=None):
    """A time slot moved (date, duration, place or académie) after convocations were published:
    every convocation it is on gets a new version, the earlier PDF kept, and its candidate an
    email and a message. `before` is the slot as it was. Returns how many convocations changed."""
    if all(getattr(before, field) == getattr(slot, field) for field in SLOT_FIELDS_ON_A_CONVOCATION):
        return 0
    return convocations_renew(convocations_on(slot), at=at)


def slot_saved(*, slot, before, at=None):
    """Staff saved a slot: `before` is it as it was (None for a new one). The convocations it was on
    and those it is now on get a new version when what they say changed. Returns how many."""
    if before is None:
        return convocations_renew(convocations_on(slot), at=at)
    if (before.session_id, before.epreuve_id, before.language) == (slot.session_id, slot.epreuve_id, slot.language):
        return slot_changed_after_publication(slot=slot, before=before, at=at)
    concerned = {*convocations_on(before).values_list("pk", flat=True), *convocations_on(slot).values_list("pk", flat=True)}
    return convocations_renew(Convocation.objects.filter(pk__in=concerned), at=at)


def convocations_renew(convocations, *, at=None):
    """A new version of each published convocation given (a slot it is on moved, was added or
    removed): the earlier PDF kept when there was one, a new PDF, an email and a message."""
    at = at or timezone.now()
    renewed = 0
    for pk in list(convocations.values_list("pk", flat=True)):
        with transaction.atomic():
            convocation = Convocation.objects.select_for_update().get(pk=pk)
            if convocation.file:  # a version never drawn (two moves before its PDF was made) leaves nothing to keep
                ConvocationVersion.objects.create(convocation=convocation, version=convocation.version,
                                                  file=convocation.file.name, replaced_at=at)
            Convocation.objects.filter(pk=pk).update(version=F("version") + 1, file="", opened_at=None)
            transaction.on_commit(lambda pk=pk: render_convocation_task.delay(pk))
        renewed += 1
    return renewed


def unopened_convocations_report(*, at=None):
    """Ten days before a specialty's first épreuve, tell staff who has not opened their convocation, once.

    The report goes through the outbox like every email: recorded under a key of its session
    and specialty (unique in the database, so once whatever the runs or a flushed cache), then
    delivered and retried by the queue.
    """
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


def convocation_pdf(registration, slots, version=1):
    """The convocation to the épreuves, with date, time, place and académie of each."""
    rows = [{"slot": slot, "title": slot_title(slot, registration), "location": slot_location(slot, registration)}
            for slot in slots]
    return render_pdf("exams/pdf/convocation.html", {"registration": registration, "candidate": registration.candidate,
                                                     "rows": rows, "version": version})


def convocation_deliver(convocation):
    """Make the convocation's PDF if it has none, and tell the candidate, once. Safe to run twice:
    the file is stored only where none is, and the email's key is the convocation's."""
    registration = convocation.registration
    if not convocation.file:
        content = convocation_pdf(registration, convocation_slots(registration), convocation.version)
        convocation.file.save(f"convocation-{registration.number}-v{convocation.version}.pdf", ContentFile(content), save=False)
        Convocation.objects.filter(pk=convocation.pk, file="", version=convocation.version).update(file=convocation.file.name)
    # « a changé » only to someone told of an earlier version; a first email otherwise.
    first = not Message.objects.filter(event_key__startswith=f"convocation:{convocation.pk}").exists() or convocation.version == 1
    with transaction.atomic():
        email_send(user=registration.candidate, template="convocation" if first else "convocation_changed",
                   context={"registration": registration, "version": convocation.version},
                   event_key=f"convocation:{convocation.pk}" if first else f"convocation:{convocation.pk}:v{convocation.version}")
