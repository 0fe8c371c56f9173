import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.test import RequestFactory

from candidates.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_project_uses_the_candidates_user_model():
    assert get_user_model() is User


def test_a_new_account_is_inactive_until_its_email_is_confirmed():
    user = User.objects.create_user("nouveau@exemple.fr", "un mot de passe solide")
    assert user.is_active is False
    assert user.activated_at is None
    assert user.date_joined is not None


def test_a_superuser_is_active_and_activated():
    user = User.objects.create_superuser("chef@ac-normandie.fr", "un mot de passe solide")
    assert user.is_active and user.is_staff and user.is_superuser
    assert user.activated_at is not None


def test_the_email_is_unique_without_regard_to_case_in_the_database():
    UserFactory(email="Camille.Martin@Exemple.fr")
    with pytest.raises(IntegrityError):
        User.objects.bulk_create([User(email="camille.martin@exemple.fr")])


def test_the_email_is_unique_without_regard_to_case_with_a_french_message():
    UserFactory(email="Camille.Martin@Exemple.fr")
    with pytest.raises(ValidationError) as error:
        User.objects.create_user("CAMILLE.MARTIN@EXEMPLE.FR", "un mot de passe solide")
    assert "Un compte existe déjà avec cette adresse électronique." in str(error.value)


def test_login_by_email_ignores_its_case():
    UserFactory(email="camille.martin@exemple.fr", password="un mot de passe solide")
    assert authenticate(RequestFactory().post("/"), username="Camille.MARTIN@exemple.FR", password="un mot de passe solide") is not None


def test_an_inactive_account_cannot_log_in():
    UserFactory(email="camille.martin@exemple.fr", password="un mot de passe solide", is_active=False)
    assert authenticate(RequestFactory().post("/"), username="camille.martin@exemple.fr", password="un mot de passe solide") is None


def test_passwords_are_hashed_with_argon2():
    user = UserFactory(password="un mot de passe solide")
    assert user.password.startswith("argon2$")


def test_login_finds_the_account_through_the_lowercase_email_index():
    """UPPER(email) = … (iexact) would scan every account; LOWER(email) uses the unique index."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    UserFactory(email="camille.martin@exemple.fr", password="un mot de passe solide")
    with CaptureQueriesContext(connection) as queries:
        User.objects.get_by_natural_key("Camille.Martin@Exemple.fr")
    sql = queries[-1]["sql"]
    assert 'LOWER("candidates_user"."email") =' in sql and "UPPER" not in sql
