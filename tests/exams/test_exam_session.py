from datetime import UTC, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from exams.models import ExamSession, RegistrationPhase
from tests.factories import ExamSessionFactory, paris

pytestmark = pytest.mark.django_db


@pytest.fixture
def session():
    return ExamSessionFactory(
        year=2124,
        registration_opens_at=paris(2123, 10, 18, 12),
        registration_closes_at=paris(2123, 11, 15, 17),
    )


def test_registration_is_closed_one_second_before_the_opening(session):
    assert not session.is_registration_open(paris(2123, 10, 18, 11, 59, 59))
    assert session.registration_phase(paris(2123, 10, 18, 11, 59, 59)) == RegistrationPhase.UPCOMING


def test_registration_opens_at_noon_paris_time(session):
    assert session.is_registration_open(paris(2123, 10, 18, 12, 0, 0))


def test_registration_is_still_open_at_17_00_on_the_deadline(session):
    assert session.is_registration_open(paris(2123, 11, 15, 17, 0, 0))


def test_registration_is_closed_at_17_00_01_and_17_01(session):
    assert not session.is_registration_open(paris(2123, 11, 15, 17, 0, 1))
    assert not session.is_registration_open(paris(2123, 11, 15, 17, 1))
    assert session.registration_phase(paris(2123, 11, 15, 17, 1)) == RegistrationPhase.CLOSED


def test_the_window_is_read_on_the_paris_clock_not_utc(session):
    # 16:30 UTC on 15 November is 17:30 in Paris (UTC+1 in winter): already closed.
    from datetime import datetime

    assert not session.is_registration_open(datetime(2123, 11, 15, 16, 30, tzinfo=UTC))
    assert session.is_registration_open(datetime(2123, 11, 15, 15, 59, tzinfo=UTC))


def test_time_left_counts_down_to_the_deadline_only_while_open(session):
    assert session.time_left_to_register(paris(2123, 11, 14, 17)) == timedelta(days=1)
    assert session.time_left_to_register(paris(2123, 11, 15, 17, 1)) is None
    assert session.time_left_to_register(paris(2123, 10, 1)) is None


def test_the_database_refuses_a_window_that_closes_before_it_opens():
    with pytest.raises(IntegrityError):
        ExamSessionFactory(
            registration_opens_at=paris(2123, 11, 15, 17),
            registration_closes_at=paris(2123, 10, 18, 12),
        )


def test_the_database_refuses_a_window_that_closes_when_it_opens():
    with pytest.raises(IntegrityError):
        ExamSessionFactory(
            registration_opens_at=paris(2123, 11, 15, 17),
            registration_closes_at=paris(2123, 11, 15, 17),
        )


def test_validation_explains_the_window_in_french():
    session = ExamSessionFactory.build(
        registration_opens_at=paris(2123, 11, 15, 17),
        registration_closes_at=paris(2123, 10, 18, 12),
    )
    with pytest.raises(ValidationError) as error:
        session.full_clean()
    assert "La clôture doit être postérieure à l'ouverture." in error.value.message_dict["registration_closes_at"]


def test_one_session_per_year_and_academy():
    ExamSessionFactory(year=2130, academy="Normandie")
    with pytest.raises(IntegrityError):
        ExamSessionFactory(year=2130, academy="Normandie")


class TestCurrentSession:
    def test_the_open_session_comes_first(self, session):
        later = ExamSessionFactory(year=2125)
        assert ExamSession.objects.current(paris(2123, 11, 1)) == session
        assert ExamSession.objects.current(paris(2124, 11, 1)) == later

    def test_between_windows_it_is_the_next_to_open(self, session):
        later = ExamSessionFactory(year=2125)
        assert ExamSession.objects.current(paris(2124, 1, 1)) == later

    def test_after_every_window_it_is_the_last_one(self, session):
        assert ExamSession.objects.current(paris(2200, 1, 1)) == session


class TestPublication:
    """`ExamSession.results_are_published` and `rattrapage_choice_is_open` decide what « Mes résultats » may show."""

    def test_results_are_published_from_their_time_on_and_never_without_one(self):
        from exams.models import ExamSession

        session = ExamSession(results_published_at=paris(2024, 7, 12, 10))
        assert not session.results_are_published(paris(2024, 7, 12, 9, 59))
        assert session.results_are_published(paris(2024, 7, 12, 10))
        assert not ExamSession(results_published_at=None).results_are_published(paris(2030, 1, 1))

    def test_the_rattrapage_choice_is_open_from_the_first_group_publication_to_its_deadline(self):
        from exams.models import ExamSession

        session = ExamSession(first_group_results_published_at=paris(2024, 7, 5, 10), rattrapage_choice_deadline=paris(2024, 7, 8, 12))
        assert [session.rattrapage_choice_is_open(at) for at in (
            paris(2024, 7, 5, 9, 59), paris(2024, 7, 5, 10), paris(2024, 7, 8, 12), paris(2024, 7, 8, 12, 1))] == [
            False, True, True, False]
        assert not ExamSession(rattrapage_choice_deadline=paris(2024, 7, 8, 12)).rattrapage_choice_is_open(paris(2024, 7, 6))

    def test_the_dates_follow_each_other_first_group_then_choice_then_results(self):
        from django.core.exceptions import ValidationError

        session = ExamSessionFactory.build(first_group_results_published_at=paris(2024, 7, 5, 10),
                                           rattrapage_choice_deadline=paris(2024, 7, 5, 9), results_published_at=None)
        with pytest.raises(ValidationError, match="ne peut pas se clore avant"):
            session.clean()
        session.rattrapage_choice_deadline, session.results_published_at = paris(2024, 7, 8, 12), paris(2024, 7, 8, 11)
        with pytest.raises(ValidationError, match="ne peuvent pas être publiés avant"):
            session.clean()
        session.results_published_at = paris(2024, 7, 12, 10)
        session.clean()

