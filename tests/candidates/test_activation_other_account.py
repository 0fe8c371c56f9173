"""An activation link opened while another account is logged in: no silent switch of account."""

import html

import pytest
import time_machine
from django.urls import reverse

from candidates.tokens import activation_link
from tests.candidates.helpers import path_of
from tests.factories import UserFactory, paris

pytestmark = pytest.mark.django_db

JOINED = paris(2023, 10, 18, 14, 5)
LATER = paris(2023, 10, 19, 10)


@pytest.fixture
def new_account():
    return UserFactory(email="camille.martin@exemple.fr", is_active=False, activated_at=None, date_joined=JOINED)


@pytest.fixture
def logged_in_as_other(client, other_candidate):
    client.force_login(other_candidate)
    return client


def open_link(client, url):
    with time_machine.travel(LATER, tick=False):
        first = client.get(path_of(url))
        response = client.get(first["Location"]) if first.status_code == 302 else first
    return first, response, html.unescape(response.content.decode())


def logged_in_user_id(client):
    with time_machine.travel(LATER, tick=False):  # the session was saved at LATER: it expires in "real" time
        user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id else None


def test_a_link_for_another_account_does_not_switch_the_session_and_says_whose_it_is(logged_in_as_other, other_candidate, new_account):
    first, response, page = open_link(logged_in_as_other, activation_link(new_account))
    assert first.status_code == 302 and first["Location"].endswith("/lien/")  # the token left the URL first
    assert response.status_code == 200
    assert "Ce lien active un autre compte" in page
    assert "c•••@exemple.fr" in page and "camille.martin@exemple.fr" not in page
    assert f"Vous êtes connecté(e) en tant que <strong>{other_candidate.email}</strong>" in page
    assert "Me déconnecter et activer ce compte" in page
    assert logged_in_user_id(logged_in_as_other) == other_candidate.pk
    new_account.refresh_from_db()
    assert not new_account.is_active


def test_logging_out_from_that_page_then_activates_the_link_s_account_and_shows_the_login(logged_in_as_other, new_account):
    first, response, page = open_link(logged_in_as_other, activation_link(new_account))
    with time_machine.travel(LATER, tick=False):
        done = logged_in_as_other.post(first["Location"], follow=True)
    assert done.redirect_chain[-1][0] == reverse("candidates:login")
    assert "Votre compte est activé. Connectez-vous avec le mot de passe choisi" in html.unescape(done.content.decode())
    assert logged_in_user_id(logged_in_as_other) is None  # neither account: the link logs nobody in
    new_account.refresh_from_db()
    assert new_account.is_active and new_account.activated_at == LATER


def test_an_invalid_link_opened_while_logged_in_shows_no_address(logged_in_as_other, new_account):
    tampered = activation_link(new_account)[:-3] + "xx/"
    first, response, page = open_link(logged_in_as_other, tampered)
    assert response.status_code == 400 and "Ce lien n'est pas valide" in page
    assert "•••" not in page


def test_a_used_link_opened_while_another_account_is_logged_in_logs_nobody_out(logged_in_as_other, other_candidate, candidate):
    first, response, page = open_link(logged_in_as_other, activation_link(candidate))
    assert "Ce compte est déjà activé" in page
    assert logged_in_user_id(logged_in_as_other) == other_candidate.pk


def test_without_anyone_logged_in_the_link_activates_at_once_and_leads_to_the_login(client, new_account):
    first, response, page = open_link(client, activation_link(new_account))
    assert response.status_code == 302 and response["Location"] == reverse("candidates:login")
    assert logged_in_user_id(client) is None
    new_account.refresh_from_db()
    assert new_account.is_active
