"""Everything that decides a result or a place keeps its history, with who and when: marks,
convocations, time slots, the requirement matrix and the jury's decisions (django-simple-history,
read-only in admin); a marks import records who imported which file, when, and how many lines."""

import hashlib
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents.models import Requirement
from exams.models import Convocation, ExamSlot, JuryDecision, Mark, MarksImport
from tests.exams.helpers import give_marks
from tests.factories import ConvocationFactory, ExamSlotFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Mark, Convocation, ExamSlot, Requirement, JuryDecision])
def test_each_model_that_decides_a_result_or_a_place_keeps_its_history(model):
    assert hasattr(model, "history"), f"{model._meta.label} has no history"


def test_a_mark_changed_in_admin_keeps_its_earlier_value_and_who_changed_it(dec_staff_client, dec_staff, locked):
    give_marks(locked, {"E1": "8"})
    mark = Mark.objects.get(registration=locked, epreuve__code="E1")
    response = dec_staff_client.post(reverse("admin:exams_mark_change", args=[mark.pk]), {
        "registration": locked.pk, "epreuve": mark.epreuve_id, "group": "first", "value": "9.5"})
    assert response.status_code == 302, response.content.decode()[:2000]
    versions = list(mark.history.order_by("history_date").values_list("value", "history_user_id"))
    assert versions == [(D("8.00"), None), (D("9.50"), dec_staff.pk)]


def test_a_slot_moved_in_admin_keeps_its_earlier_time(dec_staff_client, dec_staff):
    slot = ExamSlotFactory()
    later = slot.starts_at + timedelta(days=1)
    from django.utils import timezone

    local = timezone.localtime(later)
    dec_staff_client.post(reverse("admin:exams_examslot_change", args=[slot.pk]), {
        "epreuve": slot.epreuve_id, "session": slot.session_id, "starts_at_0": local.strftime("%d/%m/%Y"),
        "starts_at_1": local.strftime("%H:%M:%S"), "duration_minutes": slot.duration_minutes, "place": slot.place,
        "academy": slot.academy})
    slot.refresh_from_db()
    assert slot.starts_at == later
    assert [h.starts_at for h in slot.history.order_by("history_date")] == [later - timedelta(days=1), later]
    assert slot.history.latest().history_user == dec_staff


def test_a_convocation_and_a_matrix_row_keep_theirs():
    convocation = ConvocationFactory()
    convocation.opened_at = convocation.published_at
    convocation.save()
    assert convocation.history.count() == 2
    row = Requirement.objects.first()
    row.for_experience = not row.for_experience
    row.save()
    assert row.history.count() >= 1 and row.history.latest().for_experience == row.for_experience


def test_the_history_in_admin_is_read_only(staff_client, locked):
    give_marks(locked, {"E1": "8"})
    mark = Mark.objects.get(registration=locked, epreuve__code="E1")
    historical = mark.history.latest()
    url = reverse("admin:exams_mark_simple_history", args=[mark.pk, historical.history_id])
    page = staff_client.get(url).content.decode()
    form = page.split('id="content-main"')[1]
    assert 'name="_save"' not in form and 'type="submit"' not in form  # SIMPLE_HISTORY_REVERT_DISABLED
    assert staff_client.post(url, {"registration": locked.pk, "epreuve": mark.epreuve_id, "group": "first",
                                   "value": "20"}).status_code == 403
    mark.refresh_from_db()
    assert mark.value == D("8.00")


class TestMarksImportRecord:
    def upload(self, client, locked, rows):
        content = "\n".join(f"{locked.number};{code};{mark}" for code, mark in rows).encode()
        client.post(reverse("admin:exams_mark_import"), {
            "session": locked.session.pk, "group": "first", "file": SimpleUploadedFile("notes-juin.csv", content)})
        return content

    def test_an_import_records_who_which_file_when_and_how_many_lines(self, dec_staff_client, dec_staff, locked):
        content = self.upload(dec_staff_client, locked, [("E1", "12"), ("E2", "ABS"), ("E31", "DISP")])
        record = MarksImport.objects.get()
        assert (record.file_name, record.sha256, record.lines, record.imported_by, record.group, record.session) == (
            "notes-juin.csv", hashlib.sha256(content).hexdigest(), 3, dec_staff, "first", locked.session)

    def test_a_refused_file_records_nothing(self, dec_staff_client, locked):
        self.upload(dec_staff_client, locked, [("E1", "12"), ("E2", "30")])
        assert not MarksImport.objects.exists() and not Mark.objects.exists()

    def test_the_record_can_be_read_not_changed(self, dec_staff_client, dec_staff, locked):
        self.upload(dec_staff_client, locked, [("E1", "12")])
        record = MarksImport.objects.get()
        assert dec_staff_client.get(reverse("admin:exams_marksimport_changelist")).status_code == 200
        dec_staff_client.post(reverse("admin:exams_marksimport_change", args=[record.pk]), {"lines": 99})
        dec_staff_client.post(reverse("admin:exams_marksimport_delete", args=[record.pk]), {"post": "yes"})
        record.refresh_from_db()
        assert record.lines == 1
