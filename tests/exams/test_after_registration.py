import html
from datetime import timedelta
from decimal import Decimal as D

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from exams import after_registration
from exams.models import Convocation, Epreuve, ExamSlot, Mark, Specialty
from tests.factories import RegistrationFactory, paris

pytestmark = pytest.mark.django_db


@pytest.fixture
def bat():
    return Specialty.objects.get(code="BAT")


@pytest.fixture
def locked(candidate, bat):
    return RegistrationFactory(candidate=candidate, specialty=bat, status="locked")


def schedule(session, specialty, first_at):
    for offset, epreuve in enumerate(Epreuve.objects.filter(specialty=specialty).order_by("code")):
        ExamSlot.objects.create(session=session, epreuve=epreuve, starts_at=first_at + timedelta(days=offset), duration_minutes=240,
                                place="Lycée Malherbe, Caen", academy="Rennes" if epreuve.is_language else "Normandie")


class TestConvocations:
    def test_publication_14_days_before_is_refused_15_days_allowed(self, locked, bat, run_on_commit):
        schedule(locked.session, bat, paris(2024, 5, 15, 8))
        with pytest.raises(PermissionDenied, match="moins de 15 jours"):
            after_registration.convocations_publish(session=locked.session, specialty=bat, at=paris(2024, 5, 1, 8, 0, 1))
        assert not Convocation.objects.exists()
        with run_on_commit():
            assert after_registration.convocations_publish(session=locked.session, specialty=bat, at=paris(2024, 4, 30, 8)) == 1
        convocation = Convocation.objects.get()
        assert convocation.file and mail.outbox[-1].subject == "Votre convocation aux épreuves du BTS Bâtiment"
        assert locked.candidate.messages.filter(subject__startswith="Votre convocation").exists()

    def test_publishing_again_adds_nobody_twice(self, locked, bat, run_on_commit):
        schedule(locked.session, bat, paris(2024, 5, 15, 8))
        with run_on_commit():
            after_registration.convocations_publish(session=locked.session, specialty=bat, at=paris(2024, 4, 1))
            assert after_registration.convocations_publish(session=locked.session, specialty=bat, at=paris(2024, 4, 1)) == 0
        assert len(mail.outbox) == 1

    def test_only_locked_registrations_are_convened(self, locked, bat, other_candidate):
        RegistrationFactory(candidate=other_candidate, specialty=bat, status="cancelled")
        schedule(locked.session, bat, paris(2024, 5, 15, 8))
        assert after_registration.convocations_publish(session=locked.session, specialty=bat, at=paris(2024, 4, 1)) == 1

    def test_the_candidate_downloads_it_which_staff_see_and_gets_a_calendar(self, client, candidate, locked, bat, run_on_commit):
        schedule(locked.session, bat, paris(2024, 5, 15, 8))
        with run_on_commit():
            after_registration.convocations_publish(session=locked.session, specialty=bat, at=paris(2024, 4, 1))
        convocation = Convocation.objects.get()
        client.force_login(candidate)
        assert "Mes convocations" in client.get(reverse("exams:convocations")).content.decode()
        response = client.get(reverse("exams:convocation", args=[convocation.pk]))
        assert response["Content-Disposition"].startswith("attachment")
        convocation.refresh_from_db()
        assert convocation.opened_at is not None
        ics = client.get(reverse("exams:convocation_ics", args=[convocation.pk])).content.decode()
        assert ics.startswith("BEGIN:VCALENDAR") and ics.count("BEGIN:VEVENT") == 7
        assert "DTSTART:20240515T060000Z" in ics and "Lycée Malherbe\\, Caen" in ics

    def test_another_candidates_convocation_is_404(self, client, other_candidate, locked, bat):
        convocation = Convocation.objects.create(registration=locked, published_at=paris(2024, 4, 1))
        client.force_login(other_candidate)
        assert client.get(reverse("exams:convocation", args=[convocation.pk])).status_code == 404
        assert client.get(reverse("exams:convocation_ics", args=[convocation.pk])).status_code == 404

    def test_ten_days_before_staff_get_the_unopened_list_once(self, locked, bat, settings, run_on_commit):
        settings.DEC_EMAIL = "dec@ac-normandie.fr"
        schedule(locked.session, bat, paris(2024, 5, 15, 8))
        Convocation.objects.create(registration=locked, published_at=paris(2024, 4, 1))
        with run_on_commit():
            assert after_registration.unopened_convocations_report(at=paris(2024, 5, 4, 8)) == 0  # 11 days before
            assert after_registration.unopened_convocations_report(at=paris(2024, 5, 5, 9)) == 1
            assert after_registration.unopened_convocations_report(at=paris(2024, 5, 6, 9)) == 0
        assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dec@ac-normandie.fr"]
        assert locked.number in mail.outbox[0].body


class TestMarksImport:
    def csv(self, registration, *rows):
        return "\n".join(["numero;epreuve;note", *[f"{registration.number};{code};{mark}" for code, mark in rows]])

    def test_a_good_file_saves_every_mark(self, locked):
        saved, errors = after_registration.marks_import_csv(session=locked.session, content=self.csv(
            locked, ("E1", "12,5"), ("E2", "ABS"), ("E31", "8.25")))
        assert errors == [] and saved == 3
        assert Mark.objects.get(epreuve__code="E1").value == D("12.50")
        assert Mark.objects.get(epreuve__code="E2").absent

    @pytest.mark.parametrize(("row", "message"), [
        (("E1", "20.5"), "n'est pas entre 0 et 20"), (("E1", "12.345"), "plus de deux décimales"),
        (("E1", "douze"), "ni une note ni « ABS »"), (("E9", "12"), "Épreuve « E9 » inconnue"),
    ])
    def test_a_bad_line_is_reported_with_its_number_and_nothing_is_saved(self, locked, row, message):
        saved, errors = after_registration.marks_import_csv(session=locked.session, content=self.csv(locked, ("E31", "10"), row))
        assert saved == 0 and errors[0].line == 3 and message in errors[0].message
        assert not Mark.objects.exists()

    def test_an_unknown_registration_is_reported(self, locked):
        _, errors = after_registration.marks_import_csv(session=locked.session, content="2024-999999;E1;10")
        assert errors[0].line == 1 and "inconnue" in errors[0].message

    def test_staff_import_in_admin(self, staff_client, locked):
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("notes.csv", self.csv(locked, ("E1", "11"), ("E2", "30")).encode())
        page = staff_client.post(reverse("admin:exams_mark_import"), {"session": locked.session.pk, "group": "first", "file": upload})
        assert "Ligne 3 : La note 30 n&#x27;est pas entre 0 et 20." in page.content.decode()
        assert not Mark.objects.exists()


def give_marks(registration, marks, group=Mark.FIRST):
    for code, value in marks.items():
        Mark.objects.create(registration=registration, epreuve=Epreuve.objects.get(specialty=registration.specialty, code=code),
                            group=group, value=None if value == "ABS" else D(value), absent=value == "ABS")


# Bâtiment: general E1 (3), E2 (2, language), E31 (2), E32 (1); professional E4 (5), E5 (5), E6 (4). Total 22.
RATTRAPAGE_MARKS = {"E1": "4", "E2": "4", "E31": "4", "E32": "4", "E4": "12", "E5": "12", "E6": "12"}  # 200/22 = 9.09


class TestRattrapage:
    @pytest.fixture
    def eligible(self, locked):
        give_marks(locked, RATTRAPAGE_MARKS)
        locked.session.rattrapage_choice_deadline = paris(2024, 7, 8, 12)
        locked.session.save()
        return locked

    def test_the_page_says_rattrapage_is_open_and_which_marks_would_reach_10(self, client, candidate, eligible):
        client.force_login(candidate)
        with time_machine.travel(paris(2024, 7, 6), tick=False):
            page = html.unescape(client.get(reverse("exams:results", args=[eligible.pk])).content.decode())
        assert "admis(e) à l'épreuve de rattrapage" in page
        assert "E1 — Culture générale et expression : 10,67 / 20" in page  # 4 + 20/3 → 10.67
        assert "10 min de préparation et 10 min de soutenance" in page and "20 min de préparation" in page

    def test_two_general_epreuves_are_chosen_before_the_deadline(self, eligible):
        e1, e2, e4 = (Epreuve.objects.get(specialty=eligible.specialty, code=c) for c in ("E1", "E2", "E4"))
        with pytest.raises(ValidationError):
            after_registration.rattrapage_choose(registration=eligible, epreuves=[e1], at=paris(2024, 7, 7))
        with pytest.raises(ValidationError):
            after_registration.rattrapage_choose(registration=eligible, epreuves=[e1, e4], at=paris(2024, 7, 7))
        with pytest.raises(PermissionDenied):
            after_registration.rattrapage_choose(registration=eligible, epreuves=[e1, e2], at=paris(2024, 7, 8, 12, 1))
        choice = after_registration.rattrapage_choose(registration=eligible, epreuves=[e1, e2], at=paris(2024, 7, 8, 12))
        assert set(choice.epreuves.values_list("code", flat=True)) == {"E1", "E2"}

    def test_a_candidate_without_rattrapage_cannot_choose(self, locked):
        # general average 8.82 but professional average 7: refused, no second group
        give_marks(locked, {"E1": "12", "E2": "12", "E31": "12", "E32": "12", "E4": "7", "E5": "7", "E6": "7"})
        locked.session.rattrapage_choice_deadline = paris(2024, 7, 8, 12)
        locked.session.save()
        e1, e2 = (Epreuve.objects.get(specialty=locked.specialty, code=c) for c in ("E1", "E2"))
        with pytest.raises(PermissionDenied):
            after_registration.rattrapage_choose(registration=locked, epreuves=[e1, e2], at=paris(2024, 7, 7))

    def test_after_rattrapage_marks_the_candidate_is_admitted_and_downloads_the_transcript(self, client, candidate, eligible):
        e1, e2 = (Epreuve.objects.get(specialty=eligible.specialty, code=c) for c in ("E1", "E2"))
        after_registration.rattrapage_choose(registration=eligible, epreuves=[e1, e2], at=paris(2024, 7, 7))
        give_marks(eligible, {"E1": "12", "E2": "3"}, group=Mark.RATTRAPAGE)  # E1 12 kept, E2 4 kept: 224/22 = 10.18
        client.force_login(candidate)
        page = html.unescape(client.get(reverse("exams:results", args=[eligible.pk])).content.decode())
        assert '<strong id="decision">admis(e)</strong>' in page
        response = client.get(reverse("exams:transcript", args=[eligible.pk]))
        assert response["Content-Type"] == "application/pdf"
        from io import BytesIO

        from pypdf import PdfReader

        text = PdfReader(BytesIO(response.content)).pages[0].extract_text()
        assert "Relevé de notes" in text and "admis(e)" in text and "10,18" in text

    def test_no_transcript_before_the_decision(self, client, candidate, eligible):
        client.force_login(candidate)
        assert client.get(reverse("exams:transcript", args=[eligible.pk])).status_code == 404

    def test_another_candidates_results_are_404(self, client, other_candidate, eligible):
        client.force_login(other_candidate)
        assert client.get(reverse("exams:results", args=[eligible.pk])).status_code == 404


def test_a_carried_over_mark_counts_like_the_others(locked):
    give_marks(locked, RATTRAPAGE_MARKS)
    Mark.objects.filter(registration=locked, epreuve__code="E1").update(carried_over=True, value=D("15"))
    lines = after_registration.candidate_lines(locked)
    from exams import results

    assert results.general_average(lines) == (D(15) * 3 + D(4) * 5 + D(12) * 14) / 22
