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
        (("E1", "douze"), "ni une note, ni « ABS », ni « DISP »"), (("E9", "12"), "Épreuve « E9 » inconnue"),
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


def test_a_dispense_is_imported_as_disp(locked):
    saved, errors = marks.marks_import_csv(session=locked.session, content=csv(locked, ("E2", "DISP")))
    assert (saved, errors) == (1, [])
    mark = Mark.objects.get(epreuve__code="E2")
    assert mark.dispensed and mark.value is None and not mark.absent
    assert dict((line.code, line.mark) for line in marks.candidate_lines(locked))["E2"] == results.DISPENSED


class TestBenefits:
    """A benefit or carried-over mark (`carried_over`) replaces the first-group mark of its épreuve
    while the candidate keeps their benefits (step 4), and counts like the others."""

    @pytest.fixture
    def with_a_benefit_on_e1(self, locked):
        give_marks(locked, RATTRAPAGE_MARKS)  # E1 4 this session
        Mark.objects.create(registration=locked, epreuve=Mark.objects.get(registration=locked, epreuve__code="E1").epreuve,
                            group=Mark.FIRST, value=D("15"), carried_over=True)
        return locked

    def test_a_kept_benefit_replaces_the_sessions_mark(self, with_a_benefit_on_e1):
        with_a_benefit_on_e1.keeps_grade_benefits = True
        lines = marks.candidate_lines(with_a_benefit_on_e1)
        assert results.general_average(lines) == (D(15) * 3 + D(4) * 5 + D(12) * 14) / 22

    def test_a_benefit_the_candidate_does_not_keep_counts_for_nothing(self, with_a_benefit_on_e1):
        with_a_benefit_on_e1.keeps_grade_benefits = False
        lines = marks.candidate_lines(with_a_benefit_on_e1)
        assert results.general_average(lines) == (D(4) * 3 + D(4) * 5 + D(12) * 14) / 22

    def test_the_candidate_sees_it_as_a_benefit(self, client, with_a_benefit_on_e1):
        import html

        import time_machine

        from tests.factories import paris

        registration = with_a_benefit_on_e1
        registration.keeps_grade_benefits, registration.renounces_benefits = True, False
        registration.save()
        registration.session.results_published_at = paris(2024, 7, 12, 10)
        registration.session.save()
        client.force_login(registration.candidate)
        with time_machine.travel(paris(2024, 7, 13), tick=False):
            page = html.unescape(client.get(reverse("exams:results", args=[registration.pk])).content.decode())
        row = page.split("E1 — ")[1].split("</tr>")[0]
        assert "15,00 <span" in row and "(bénéfice d'une session antérieure)" in row


def test_disp_is_refused_in_the_rattrapage_group(locked):
    saved, errors = marks.marks_import_csv(session=locked.session, content=csv(locked, ("E1", "DISP")), group=Mark.RATTRAPAGE)
    assert saved == 0 and "« DISP » ne vaut qu'au premier groupe" in errors[0].message
    assert not Mark.objects.exists()
