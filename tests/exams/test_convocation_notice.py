"""Convocations are put in the candidate's space at least 15 days before the first épreuve (the notice, H)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from exams import after_registration
from exams.models import Convocation, Specialty
from tests.exams.test_after_registration import schedule
from tests.factories import RegistrationFactory, paris

pytestmark = pytest.mark.django_db

FIRST_EPREUVE = paris(2024, 5, 15, 8)


@pytest.fixture
def bat(candidate):
    specialty = Specialty.objects.get(code="BAT")
    registration = RegistrationFactory(candidate=candidate, specialty=specialty, status="locked")
    schedule(registration.session, specialty, FIRST_EPREUVE)
    return registration


def publish(registration, days_before):
    return after_registration.convocations_publish(session=registration.session, specialty=registration.specialty,
                                                   at=FIRST_EPREUVE - days_before)


@pytest.mark.parametrize("days_before", [timedelta(days=14), timedelta(days=14, hours=23, minutes=59, seconds=59)],
                         ids=["14 days", "15 days less a second"])
def test_convocations_cannot_be_published_14_days_before_the_first_epreuve(bat, days_before):
    with pytest.raises(PermissionDenied, match="moins de 15 jours"):
        publish(bat, days_before)
    assert not Convocation.objects.exists()


def test_convocations_can_be_published_exactly_15_days_before(bat):
    assert publish(bat, timedelta(days=15)) == 1
