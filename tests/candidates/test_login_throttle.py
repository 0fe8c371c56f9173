import html

import pytest
import time_machine
from django.urls import reverse

from tests.factories import UserFactory, paris

pytestmark = pytest.mark.django_db

PASSWORD = "une phrase de passe solide"


@pytest.fixture
def account():
    return UserFactory(email="camille.martin@exemple.fr", password=PASSWORD)


def login(client, email="camille.martin@exemple.fr", password=PASSWORD, ip="203.0.113.7"):
    return client.post(reverse("candidates:login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_five_failures_lock_the_account_from_that_address_for_15_minutes(client, account):
    with time_machine.travel(paris(2023, 11, 15, 16, 30), tick=False):
        for _ in range(5):
            login(client, password="faux")
        response = login(client)
    assert response.status_code == 429
    page = html.unescape(response.content.decode())
    assert "Vous pourrez réessayer à partir de 16h45" in page
    assert "_auth_user_id" not in client.session


def test_changing_the_case_of_the_email_does_not_escape_the_lock(client, account):
    with time_machine.travel(paris(2023, 11, 15, 16, 30), tick=False):
        for email in ["camille.martin@exemple.fr", "CAMILLE.martin@exemple.fr", "Camille.Martin@exemple.fr",
                      "camille.MARTIN@exemple.fr", "camille.martin@EXEMPLE.fr"]:
            login(client, email=email, password="faux")
        assert login(client).status_code == 429


def test_four_failures_do_not_lock(client, account):
    with time_machine.travel(paris(2023, 11, 15, 16, 30), tick=False):
        for _ in range(4):
            login(client, password="faux")
        assert login(client).status_code == 302


def test_the_same_account_from_another_address_is_not_locked(client, account):
    with time_machine.travel(paris(2023, 11, 15, 16, 30), tick=False):
        for _ in range(5):
            login(client, password="faux")
        assert login(client, ip="198.51.100.9").status_code == 302


def test_another_account_from_the_same_address_is_not_locked(client, account):
    UserFactory(email="alex@exemple.fr", password=PASSWORD)
    with time_machine.travel(paris(2023, 11, 15, 16, 30), tick=False):
        for _ in range(5):
            login(client, password="faux")
        assert login(client, email="alex@exemple.fr").status_code == 302


def test_the_lock_ends_after_15_minutes(client, account):
    with time_machine.travel(paris(2023, 11, 15, 16, 30), tick=False):
        for _ in range(5):
            login(client, password="faux")
    with time_machine.travel(paris(2023, 11, 15, 16, 44), tick=False):
        assert login(client).status_code == 429
    with time_machine.travel(paris(2023, 11, 15, 16, 45, 1), tick=False):
        assert login(client).status_code == 302
