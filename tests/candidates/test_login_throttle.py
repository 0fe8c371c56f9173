import html
import re
from unittest.mock import patch

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from tests.candidates.helpers import from_address
from tests.factories import UserFactory, paris

pytestmark = pytest.mark.django_db

PASSWORD = "une phrase de passe solide"
CANDIDATE_PASSWORD = "un mot de passe solide"  # the `candidate` fixture's (UserFactory's)


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


# The limit per client address, across every account (candidates/login_limits.py) -------------

@pytest.fixture
def quick_hashes(settings):
    """Hundreds of logins: the hasher is not what these tests are about."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_a_class_of_35_behind_one_school_address_fits_in_150_failures_an_hour(client, settings, quick_hashes):
    """35 candidates each mistype 4 times (the 5th would lock that account anyway): 140 failures,
    then all log in. 10 more failures reach 150, and that address is refused for the hour."""
    assert settings.LOGIN_FAILURES_PER_CLIENT_PER_HOUR == 150
    emails = [UserFactory(email=f"eleve{n}@exemple.fr", password=PASSWORD).email for n in range(35)]
    with time_machine.travel(paris(2023, 11, 15, 16, 30), tick=False):
        for email in emails:
            for _ in range(4):
                assert login(client, email=email, password="faux").status_code == 200
            assert login(client, email=email).status_code == 302
            client.logout()
        for n in range(10):
            assert login(client, email=f"inconnu{n}@exemple.fr", password="faux").status_code == 200
        response = login(client, email=emails[0])
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_client_over_its_limit_is_told_until_when_in_french(client, settings, account):
    settings.LOGIN_FAILURES_PER_CLIENT_PER_HOUR = 3
    with time_machine.travel(paris(2023, 11, 15, 16, 30), tick=False):
        for email in ["a@exemple.fr", "b@exemple.fr", "c@exemple.fr"]:
            login(client, email=email, password="faux")
        response = login(client)
    assert response.status_code == 429
    page = html.unescape(response.content.decode())
    assert "Connexion temporairement bloquée" in page
    assert "depuis votre réseau, sur un ou plusieurs comptes" in page
    hour, minute = map(int, re.search(r"réessayer à partir de (\d\d)h(\d\d) \(le 15 novembre 2023\)", page).groups())
    assert paris(2023, 11, 15, 16, 30) < paris(2023, 11, 15, hour, minute) <= paris(2023, 11, 15, 17, 30)


def test_the_client_limit_ends_with_its_hour_and_spares_other_addresses(client, settings, account):
    settings.LOGIN_FAILURES_PER_CLIENT_PER_HOUR = 3
    with time_machine.travel(paris(2023, 11, 15, 16, 30), tick=False):
        for email in ["a@exemple.fr", "b@exemple.fr", "c@exemple.fr"]:
            login(client, email=email, password="faux")
        assert login(client).status_code == 429
        assert login(client, ip="198.51.100.9").status_code == 302
    with time_machine.travel(paris(2023, 11, 15, 17, 31), tick=False):
        assert login(client).status_code == 302


def test_only_failures_count_against_the_client(client, settings, account):
    settings.LOGIN_FAILURES_PER_CLIENT_PER_HOUR = 3
    with time_machine.travel(paris(2023, 11, 15, 16, 30), tick=False):
        for _ in range(5):
            assert login(client).status_code == 302
            client.logout()
        login(client, password="faux")
        login(client, password="faux")
        assert login(client).status_code == 302


def test_failures_on_the_admin_login_count_and_it_refuses_too(client, settings, staff):
    """The admin's form checks passwords too: its failures count, and over the limit it checks none."""
    settings.LOGIN_FAILURES_PER_CLIENT_PER_HOUR = 3
    staff.set_password(PASSWORD)
    staff.save()
    admin_login = reverse("admin:login")
    with time_machine.travel(paris(2023, 11, 15, 16, 30), tick=False):
        for email in ["a@exemple.fr", "b@exemple.fr", "c@exemple.fr"]:
            client.post(admin_login, {"username": email, "password": "faux", "otp_token": "000000"}, REMOTE_ADDR="203.0.113.7")
        assert login(client, email="camille.martin@exemple.fr").status_code == 429
        with patch("django.contrib.auth.backends.ModelBackend.authenticate") as password_check:
            response = client.post(admin_login, {"username": staff.email, "password": PASSWORD, "otp_token": "000000"},
                                   REMOTE_ADDR="203.0.113.7")
    assert password_check.call_count == 0
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200


# The current password, retyped by a logged-in candidate (current_password_confirmed) ---------

# Issue 13's probe: the forms that ask for the current password had no limit at all (closed in
# candidates/login_limits.py: they check it through authenticate(), as the login does).
@pytest.mark.parametrize("form, wrong, right", [
    ("email_change", {"new_email": "boite.du.voleur@exemple.fr", "password": "essai"},
     {"new_email": "boite.du.voleur@exemple.fr", "password": CANDIDATE_PASSWORD}),
    ("password_change", {"old_password": "essai", "new_password1": "une phrase toute neuve", "new_password2": "une phrase toute neuve"},
     {"old_password": CANDIDATE_PASSWORD, "new_password1": "une phrase toute neuve", "new_password2": "une phrase toute neuve"}),
])
def test_the_current_password_cannot_be_guessed_more_often_than_at_the_login(form, wrong, right, candidate, run_on_commit):
    """Whoever holds a session (a shared computer) may try the password without limit on the
    forms that ask for it, then change the address or the password: no lock as at the login."""
    client = from_address("203.0.113.7")
    client.force_login(candidate)
    for attempt in range(20):
        client.post(reverse(f"candidates:{form}"), {key: (f"{value}-{attempt}" if value == "essai" else value)
                                                    for key, value in wrong.items()})
    with run_on_commit():
        client.post(reverse(f"candidates:{form}"), right)
    candidate.refresh_from_db()
    assert candidate.check_password(CANDIDATE_PASSWORD)  # not changed by the guesser
    assert mail.outbox == []  # no confirmation link sent to the guesser's mailbox
