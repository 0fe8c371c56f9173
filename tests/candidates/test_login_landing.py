"""After logging in (activation sends to the login page), a candidate lands on their registration,
or on « M'inscrire » when they have none; a safe `next` still wins; staff are left as they were."""

import pytest
import time_machine
from django.urls import reverse

from tests.factories import RegistrationFactory, StaffFactory, UserFactory, paris

pytestmark = pytest.mark.django_db

OPEN = paris(2023, 11, 1, 10)
PASSWORD = "un mot de passe solide"


@pytest.fixture
def camille():
    return UserFactory(email="camille.martin@exemple.fr", password=PASSWORD)


def log_in(client, email, next_url=None):
    data = {"username": email, "password": PASSWORD}
    url = reverse("candidates:login") + (f"?next={next_url}" if next_url else "")
    with time_machine.travel(OPEN, tick=False):
        return client.post(url, data, follow=True)


def test_a_candidate_with_a_registration_lands_on_it(client, camille):
    registration = RegistrationFactory(candidate=camille)
    response = log_in(client, camille.email)
    assert response.redirect_chain[-1][0] == reverse("documents:overview", args=[registration.pk])


def test_a_candidate_without_one_lands_on_m_inscrire(client, camille):
    response = log_in(client, camille.email)
    assert response.redirect_chain == [(reverse("exams:register"), 302)]
    assert "Commencer mon inscription" in response.content.decode()


def test_a_safe_next_is_followed(client, camille):
    response = log_in(client, camille.email, next_url=reverse("candidates:inbox"))
    assert response.redirect_chain == [(reverse("candidates:inbox"), 302)]


def test_a_next_to_another_site_is_ignored(client, camille):
    response = log_in(client, camille.email, next_url="https://ailleurs.example/")
    assert response.redirect_chain[0][0] == reverse("exams:register")


def test_staff_logging_in_here_keep_the_default_landing(client):
    staff = StaffFactory(password=PASSWORD)
    response = log_in(client, staff.email)
    assert response.redirect_chain[0][0] == reverse("home")
