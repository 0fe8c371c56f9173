"""Marks (exams/marks.py): staff import them from a CSV file, all or nothing, each bad line named;
a candidate's marks become the lines the jury's arithmetic reads."""

from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from exams import marks, results
from exams.models import Mark
from tests.exams.helpers import RATTRAPAGE_MARKS, give_marks
from tests.text import french

pytestmark = pytest.mark.django_db


def csv(registration, *rows):
    return "\n".join(["numero;epreuve;note", *[f"{registration.number};{code};{mark}" for code, mark in rows]])


class TestMarksImport:
    def test_a_good_file_saves_every_mark(self, locked):
        saved, errors = marks.marks_import_csv(session=locked.session, content=csv(
            locked, ("E1", "12,5"), ("E2", "ABS"), ("E31", "8.25")))
        assert errors == [] and saved == 3
        assert Mark.objects.get(epreuve__code="E1").value == D("12.50")
        assert Mark.objects.get(epreuve__code="E2").absent

    @pytest.mark.parametrize(("row", "message"), [
        (("E1", "20.5"), "n'est pas entre 0 et 20"), (("E1", "12.345"), "plus de deux décimales"),
        (("E1", "douze"), "ni une note ni « ABS »"), (("E9", "12"), "Épreuve « E9 » inconnue"),
    ])
    def test_a_bad_line_is_reported_with_its_number_and_nothing_is_saved(self, locked, row, message):
        saved, errors = marks.marks_import_csv(session=locked.session, content=csv(locked, ("E31", "10"), row))
        assert saved == 0 and errors[0].line == 3 and message in errors[0].message
        assert not Mark.objects.exists()

    def test_an_unknown_registration_is_reported(self, locked):
        _, errors = marks.marks_import_csv(session=locked.session, content="2024-999999;E1;10")
        assert errors[0].line == 1 and "inconnue" in errors[0].message

    def test_staff_import_in_admin(self, staff_client, locked):
        upload = SimpleUploadedFile("notes.csv", csv(locked, ("E1", "11"), ("E2", "30")).encode())
        page = staff_client.post(reverse("admin:exams_mark_import"), {"session": locked.session.pk, "group": "first", "file": upload})
        assert french("Ligne 3 : La note 30 n&#x27;est pas entre 0 et 20.") in page.content.decode()
        assert not Mark.objects.exists()


def test_a_carried_over_mark_counts_like_the_others(locked):
    give_marks(locked, RATTRAPAGE_MARKS)
    Mark.objects.filter(registration=locked, epreuve__code="E1").update(carried_over=True, value=D("15"))
    lines = marks.candidate_lines(locked)
    assert results.general_average(lines) == (D(15) * 3 + D(4) * 5 + D(12) * 14) / 22
