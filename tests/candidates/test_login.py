import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_candidate_logs_in_with_email_and_password(client):
    UserFactory(email="camille.martin@exemple.fr", password="un mot de passe solide")
    response = client.post(
        reverse("candidates:login"),
        {"username": "camille.martin@exemple.fr", "password": "un mot de passe solide"},
    )
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")


def test_a_wrong_password_is_explained_in_french_and_logs_nobody_in(client):
    UserFactory(email="camille.martin@exemple.fr", password="un mot de passe solide")
    response = client.post(
        reverse("candidates:login"), {"username": "camille.martin@exemple.fr", "password": "faux"}
    )
    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_empty_field_gets_its_message_next_to_it(client):
    response = client.post(reverse("candidates:login"), {"username": "", "password": ""})
    html = response.content.decode()
    assert "fr-input-group--error" in html
    assert 'id="id_username-desc-error"' in html
    assert "Ce champ est obligatoire." in html


def test_logout_is_a_post(client, candidate):
    client.force_login(candidate)
    response = client.post(reverse("candidates:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_passwords_are_hashed_with_argon2id_32_mib_3_passes_1_lane(candidate):
    candidate.set_password("une phrase de passe solide")
    assert candidate.password.startswith("argon2$argon2id$v=19$m=32768,t=3,p=1$")


def test_a_hash_of_djangos_heavier_argon2_defaults_still_logs_in_and_is_rewritten(client):
    from django.contrib.auth.hashers import Argon2PasswordHasher

    user = UserFactory(email="ancien@exemple.fr")
    user.password = Argon2PasswordHasher().encode("une phrase de passe solide", Argon2PasswordHasher().salt())
    user.save(update_fields=["password"])
    assert "m=102400,t=2,p=8" in user.password

    response = client.post(reverse("candidates:login"), {"username": "ancien@exemple.fr", "password": "une phrase de passe solide"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert "m=32768,t=3,p=1" in user.password
