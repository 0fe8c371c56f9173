import pytest
from django.urls import reverse

from exams.models import ExamSession, Specialty
from tests.portal.helpers import log_in_with_second_factor

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:index",
        "admin:exams_examsession_changelist",
        "admin:exams_specialty_changelist",
        "admin:candidates_user_changelist",
        "admin:candidates_user_add",
        "admin:exams_examsession_add",
    ],
)
def test_staff_pages_open_in_french(client, staff, url_name):
    log_in_with_second_factor(client, staff)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert 'lang="fr"' in response.content.decode()


def test_the_admin_is_labelled_in_french(client, staff):
    log_in_with_second_factor(client, staff)
    html = client.get(reverse("admin:index")).content.decode()
    assert "Sessions d&#x27;examen" in html
    assert "Spécialités" in html
    assert "Déconnexion" in html


def test_staff_edit_a_specialty_and_its_options(client, staff):
    log_in_with_second_factor(client, staff)
    specialty = Specialty.objects.get(code="MS")
    response = client.get(reverse("admin:exams_specialty_change", args=[specialty.pk]))
    assert "Systèmes éoliens" in response.content.decode()


def test_staff_cannot_save_a_window_that_closes_before_it_opens(client, staff):
    log_in_with_second_factor(client, staff)
    response = client.post(
        reverse("admin:exams_examsession_add"),
        {
            "name": "Session 2130",
            "year": 2130,
            "academy": "Normandie",
            "registration_opens_at_0": "15/11/2129",
            "registration_opens_at_1": "17:00",
            "registration_closes_at_0": "18/10/2129",
            "registration_closes_at_1": "12:00",
        },
    )
    assert response.status_code == 200
    assert "La clôture doit être postérieure à l&#x27;ouverture." in response.content.decode()
    assert not ExamSession.objects.filter(year=2130).exists()


def test_staff_create_a_user_with_the_email_as_login(client, staff):
    log_in_with_second_factor(client, staff)
    response = client.post(
        reverse("admin:candidates_user_add"),
        {"email": "nouvel.agent@ac-normandie.fr", "usable_password": "true",
         "password1": "un mot de passe solide", "password2": "un mot de passe solide"},
    )
    assert response.status_code == 302
    from candidates.models import User

    assert User.objects.filter(email="nouvel.agent@ac-normandie.fr").exists()


def test_a_candidate_cannot_reach_the_admin(client, candidate):
    client.force_login(candidate)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
