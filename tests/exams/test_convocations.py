"""Convocations (exams/convocations.py): put in the candidate's space at least 15 days before the
first épreuve (the notice, H), with a calendar; ten days before, the examination office gets the
list of those nobody opened, recorded in the outbox and sent once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from candidates.models import Message, MessageStatus
from exams import convocations
from exams.models import Convocation, RegistrationStatus
from tests.exams.helpers import schedule
from tests.factories import ConvocationFactory, RegistrationFactory, paris

pytestmark = pytest.mark.django_db

FIRST_EPREUVE = paris(2024, 5, 15, 8)


def publish(registration, at):
    return convocations.convocations_publish(session=registration.session, specialty=registration.specialty, at=at)


class TestPublication:
    @pytest.fixture(autouse=True)
    def _scheduled(self, locked, bat):
        schedule(locked.session, bat, FIRST_EPREUVE)

    @pytest.mark.parametrize("days_before", [timedelta(days=14), timedelta(days=14, hours=23, minutes=59, seconds=59)],
                             ids=["14 days", "15 days less a second"])
    def test_convocations_cannot_be_published_14_days_before_the_first_epreuve(self, locked, days_before):
        with pytest.raises(PermissionDenied, match="moins de 15 jours"):
            publish(locked, FIRST_EPREUVE - days_before)
        assert not Convocation.objects.exists()

    def test_convocations_can_be_published_exactly_15_days_before(self, locked):
        assert publish(locked, FIRST_EPREUVE - timedelta(days=15)) == 1

    def test_publication_14_days_before_is_refused_15_days_allowed(self, locked, run_on_commit):
        with pytest.raises(PermissionDenied, match="moins de 15 jours"):
            publish(locked, paris(2024, 5, 1, 8, 0, 1))
        assert not Convocation.objects.exists()
        with run_on_commit():
            assert publish(locked, paris(2024, 4, 30, 8)) == 1
        convocation = Convocation.objects.get()
        assert convocation.file and mail.outbox[-1].subject == "Votre convocation aux épreuves du BTS Bâtiment"
        assert locked.candidate.messages.filter(subject__startswith="Votre convocation").exists()

    def test_publishing_again_adds_nobody_twice(self, locked, run_on_commit):
        with run_on_commit():
            publish(locked, paris(2024, 4, 1))
            assert publish(locked, paris(2024, 4, 1)) == 0
        assert len(mail.outbox) == 1

    def test_only_locked_registrations_are_convened(self, locked, bat, other_candidate):
        RegistrationFactory(candidate=other_candidate, specialty=bat, status=RegistrationStatus.CANCELLED)
        assert publish(locked, paris(2024, 4, 1)) == 1


class TestInTheCandidatesSpace:
    def test_the_candidate_downloads_it_which_staff_see_and_gets_a_calendar(self, client, candidate, locked, bat, run_on_commit):
        schedule(locked.session, bat, FIRST_EPREUVE)
        with run_on_commit():
            publish(locked, paris(2024, 4, 1))
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

    def test_another_candidates_convocation_is_404(self, client, other_candidate, locked):
        convocation = ConvocationFactory(registration=locked)
        client.force_login(other_candidate)
        assert client.get(reverse("exams:convocation", args=[convocation.pk])).status_code == 404
        assert client.get(reverse("exams:convocation_ics", args=[convocation.pk])).status_code == 404


class TestTheUnopenedConvocationsReport:
    @pytest.fixture(autouse=True)
    def _published_and_unopened(self, locked, bat, settings):
        settings.DEC_EMAIL = "dec@ac-normandie.fr"
        schedule(locked.session, bat, FIRST_EPREUVE)
        ConvocationFactory(registration=locked, published_at=paris(2024, 4, 1))

    def test_ten_days_before_staff_get_the_unopened_list_once(self, locked, run_on_commit):
        with run_on_commit():
            assert convocations.unopened_convocations_report(at=paris(2024, 5, 4, 8)) == 0  # 11 days before
            assert convocations.unopened_convocations_report(at=paris(2024, 5, 5, 9)) == 1
            assert convocations.unopened_convocations_report(at=paris(2024, 5, 6, 9)) == 0
        assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dec@ac-normandie.fr"]
        assert locked.number in mail.outbox[0].body

    def test_the_report_is_recorded_and_sent_once_even_if_the_cache_is_flushed(self, locked, run_on_commit):
        with run_on_commit():
            assert convocations.unopened_convocations_report(at=paris(2024, 5, 5, 9)) == 1
        cache.clear()
        with run_on_commit():
            assert convocations.unopened_convocations_report(at=paris(2024, 5, 5, 10)) == 0
        [report] = Message.objects.filter(to_email="dec@ac-normandie.fr")
        assert report.status == MessageStatus.SENT and report.recipient is None
        assert len(mail.outbox) == 1 and locked.number in mail.outbox[0].body
