"""Convocations that stay true: when a time slot moves after publication, each candidate
concerned gets a new version of their convocation (the earlier PDF kept), an email and a message;
the PDF and the calendar (.ics, written by the icalendar library) always say the same thing."""

import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from pypdf import PdfReader

from exams import convocations
from exams.models import Convocation, ConvocationVersion, ExamSlot
from tests.exams.helpers import schedule
from tests.factories import paris

pytestmark = pytest.mark.django_db

FIRST_EPREUVE = paris(2024, 5, 15, 8)


@pytest.fixture
def published(locked, bat, run_on_commit):
    schedule(locked.session, bat, FIRST_EPREUVE)
    with run_on_commit():
        convocations.convocations_publish(session=locked.session, specialty=bat, at=paris(2024, 4, 1))
    return Convocation.objects.get(registration=locked)


def move(slot, **changes):
    before = ExamSlot.objects.get(pk=slot.pk)
    for field, value in changes.items():
        setattr(slot, field, value)
    slot.save()
    return convocations.slot_changed_after_publication(slot=slot, before=before, at=paris(2024, 4, 20))


def pdf_text(convocation):
    with convocation.file.open("rb") as handle:
        return PdfReader(io.BytesIO(handle.read())).pages[0].extract_text()


def ics_events(client, convocation):
    client.force_login(convocation.registration.candidate)
    content = client.get(reverse("exams:convocation_ics", args=[convocation.pk])).content
    return {str(event["summary"]).split(" — ")[1].split()[0]: event for event in Calendar.from_ical(content).walk("VEVENT")}


def test_a_moved_slot_makes_a_new_version_keeps_the_old_and_tells_the_candidate(published, run_on_commit):
    old_file = published.file.name
    slot = ExamSlot.objects.get(epreuve__code="E1", session=published.registration.session)
    with run_on_commit():
        assert move(slot, starts_at=slot.starts_at + timedelta(days=2, hours=1)) == 1
    published.refresh_from_db()
    assert published.version == 2 and published.file and published.file.name != old_file and published.opened_at is None
    earlier = ConvocationVersion.objects.get(convocation=published)
    assert (earlier.version, earlier.file.name) == (1, old_file)
    assert mail.outbox[-1].subject == "Votre convocation aux épreuves du BTS Bâtiment a changé"
    assert published.registration.candidate.messages.filter(subject__endswith="a changé").count() == 1
    assert "Version 2" in pdf_text(published) or "version 2" in pdf_text(published)


def test_a_save_that_changes_nothing_a_candidate_reads_makes_no_new_version(published, run_on_commit):
    slot = ExamSlot.objects.get(epreuve__code="E1", session=published.registration.session)
    with run_on_commit():
        assert move(slot) == 0
    published.refresh_from_db()
    assert published.version == 1 and not ConvocationVersion.objects.exists()


def test_the_pdf_and_the_calendar_say_the_same_after_a_move(client, published, run_on_commit):
    from django.utils.formats import date_format

    slot = ExamSlot.objects.get(epreuve__code="E2", session=published.registration.session)
    with run_on_commit():
        move(slot, starts_at=paris(2024, 5, 22, 14, 30), place="Lycée Jean Rostand, Caen", duration_minutes=90)
    published.refresh_from_db()
    text = " ".join(pdf_text(published).split())
    events = ics_events(client, published)
    slots = list(ExamSlot.objects.filter(session=published.registration.session).select_related("epreuve"))
    assert sorted(events) == sorted(s.epreuve.code for s in slots)
    for slot in slots:
        event = events[slot.epreuve.code]
        start, end, location = event.decoded("dtstart"), event.decoded("dtend"), str(event["location"])
        when = date_format(timezone.localtime(start), r"l j F Y à H\hi")
        minutes = int((end - start).total_seconds() // 60)
        row = f"{slot.epreuve.code} — {slot.epreuve.title} {when} {minutes} min {location}"
        assert row in text, row  # the calendar's event, word for word in the PDF's row
        assert (start, minutes) == (slot.starts_at, slot.duration_minutes)
    assert "E2 — Anglais mercredi 22 mai 2024 à 14h30 90 min Lycée Jean Rostand, Caen (académie de Rennes)" in text
    assert events["E2"]["sequence"] == 1  # the calendar updates the event instead of adding one


def test_the_calendar_is_rfc_5545_with_folded_lines_and_escaped_text(client, published):
    slot = ExamSlot.objects.get(epreuve__code="E1", session=published.registration.session)
    ExamSlot.objects.filter(pk=slot.pk).update(place="Lycée Malherbe, bâtiment B; salle 12 — entrée par la rue du Général-de-Gaulle")
    client.force_login(published.registration.candidate)
    raw = client.get(reverse("exams:convocation_ics", args=[published.pk])).content
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    assert b"Malherbe\\, b" in raw and b"B\\; salle" in raw
    assert re.search(rb"UID:bts-[^\r]+-E1@inscriptions-bts", raw)


def test_moving_a_slot_in_admin_renews_the_convocations_and_says_so(published, dec_staff_client, run_on_commit):
    slot = ExamSlot.objects.get(epreuve__code="E1", session=published.registration.session)
    later = timezone.localtime(slot.starts_at + timedelta(hours=2))
    with run_on_commit():
        response = dec_staff_client.post(reverse("admin:exams_examslot_change", args=[slot.pk]), {
            "epreuve": slot.epreuve_id, "session": slot.session_id, "starts_at_0": later.strftime("%d/%m/%Y"),
            "starts_at_1": later.strftime("%H:%M:%S"), "duration_minutes": slot.duration_minutes, "place": slot.place,
            "academy": slot.academy}, follow=True)
    assert "1 convocation mise à jour" in response.content.decode()
    published.refresh_from_db()
    assert published.version == 2


def test_a_slot_removed_in_admin_renews_the_convocations_it_was_on(published, staff_client, run_on_commit):
    slot = ExamSlot.objects.get(epreuve__code="E32", session=published.registration.session)
    with run_on_commit():
        staff_client.post(reverse("admin:exams_examslot_delete", args=[slot.pk]), {"post": "yes"})
    published.refresh_from_db()
    assert published.version == 2 and "E32 —" not in pdf_text(published)


def test_two_moves_before_the_pdf_is_drawn_keep_no_empty_version(published, run_on_commit):
    slot = ExamSlot.objects.get(epreuve__code="E1", session=published.registration.session)
    move(slot, starts_at=slot.starts_at + timedelta(hours=1))  # its PDF not drawn yet (no commit)
    move(slot, starts_at=slot.starts_at + timedelta(hours=1))
    published.refresh_from_db()
    assert published.version == 3
    assert list(ConvocationVersion.objects.values_list("version", flat=True)) == [1]
