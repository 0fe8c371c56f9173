"""An account outlives a session: a candidate of an earlier session registers again with it (the notice, step 1)."""

import pytest
import time_machine
from django.urls import reverse

from exams.models import ExamSession, Registration
from tests.factories import ExamSessionFactory, RegistrationFactory, UserFactory, paris

pytestmark = pytest.mark.django_db

OPEN = paris(2023, 11, 1, 10)  # the 2024 session's window is open


@pytest.fixture
def candidate_of_2023():
    user = UserFactory(date_joined=paris(2022, 10, 20))
    earlier = ExamSessionFactory(year=2023, registration_opens_at=paris(2022, 10, 18, 12),
                                 registration_closes_at=paris(2022, 11, 15, 17))
    RegistrationFactory(candidate=user, session=earlier, number="2023-000007", status="locked")
    return user


def test_a_candidate_of_an_earlier_session_registers_for_the_new_one_with_the_same_account(client, candidate_of_2023):
    client.force_login(candidate_of_2023)
    with time_machine.travel(OPEN, tick=False):
        page = client.get(reverse("exams:register"))
        assert page.status_code == 200  # the 2024 page, not the 2023 registration
        response = client.post(reverse("exams:start"))
    current = ExamSession.objects.get(year=2024, academy="Normandie")
    new = Registration.objects.get(candidate=candidate_of_2023, session=current)
    assert response["Location"] == reverse("exams:step", args=[new.pk, "situation"])
    assert new.status == "draft" and new.number == f"2024-{new.pk:06d}"
    old = Registration.objects.get(number="2023-000007")
    assert old.status == "locked" and old.session.year == 2023
    assert candidate_of_2023.registrations.count() == 2


def test_once_registered_again_the_new_registration_is_the_one_shown(client, candidate_of_2023):
    client.force_login(candidate_of_2023)
    with time_machine.travel(OPEN, tick=False):
        client.post(reverse("exams:start"))
        response = client.get(reverse("exams:register"))
    new = Registration.objects.get(candidate=candidate_of_2023, session__year=2024)
    assert response["Location"] == reverse("documents:overview", args=[new.pk])
