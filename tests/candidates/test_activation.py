import html

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from candidates.models import User
from candidates.tokens import activation_link
from tests.candidates.helpers import link_in_last_email, path_of
from tests.factories import UserFactory, paris
from tests.text import french

pytestmark = pytest.mark.django_db

JOINED = paris(2023, 10, 18, 14, 5)


@pytest.fixture
def new_account():
    return UserFactory(email="camille.martin@exemple.fr", is_active=False, activated_at=None, date_joined=JOINED)


def follow(client, url):
    response = client.get(path_of(url), follow=True)
    return response, html.unescape(response.content.decode())


def test_activation_does_not_log_in_so_an_account_created_by_someone_else_is_not_handed_over(client, new_account):
    """Whoever signed the address up chose the password: the link confirms the address, then the
    login page asks for that password, or « Mot de passe oublié ? » to choose one's own."""
    with time_machine.travel(paris(2023, 10, 19, 10), tick=False):
        response, page = follow(client, activation_link(new_account))
        assert "_auth_user_id" not in client.session  # sessions expire in real time
    new_account.refresh_from_db()
    assert new_account.is_active
    assert new_account.activated_at == paris(2023, 10, 19, 10)
    assert response.redirect_chain[-1][0] == reverse("candidates:login")
    assert french("Votre compte est activé. Connectez-vous avec le mot de passe choisi à la création du compte ; "
                  "si ce n'est pas vous qui l'avez choisi, utilisez « Mot de passe oublié ? ».") in page
    assert reverse("candidates:password_reset") in page


def test_the_login_page_after_activation_has_the_address_typed_once(client, new_account):
    with time_machine.travel(paris(2023, 10, 19, 10), tick=False):
        _, page = follow(client, activation_link(new_account))
        again = html.unescape(client.get(reverse("candidates:login")).content.decode())
    assert 'value="camille.martin@exemple.fr"' in page
    assert 'value="camille.martin@exemple.fr"' not in again  # only the page the activation leads to


def test_the_token_leaves_the_url_before_the_page_is_shown(client, new_account):
    with time_machine.travel(paris(2023, 10, 19, 10), tick=False):
        response = client.get(path_of(activation_link(new_account)))
    assert response.status_code == 302
    assert response["Location"].endswith("/lien/")


def test_activation_at_47_h_59_works(client, new_account):
    with time_machine.travel(paris(2023, 10, 20, 14, 4), tick=False):
        follow(client, activation_link(new_account))
    new_account.refresh_from_db()
    assert new_account.is_active


def test_activation_at_48_h_01_does_not_and_says_to_start_again(client, new_account):
    with time_machine.travel(paris(2023, 10, 18, 14, 5), tick=False):
        link = activation_link(new_account)
    with time_machine.travel(paris(2023, 10, 20, 14, 6), tick=False):
        response, page = follow(client, link)
    new_account.refresh_from_db()
    assert not new_account.is_active
    assert "Le délai de 48 heures est dépassé" in page
    assert reverse("candidates:signup") in page
    assert "_auth_user_id" not in client.session


def test_a_used_link_fails_and_says_to_log_in(client, new_account):
    link = activation_link(new_account)
    with time_machine.travel(paris(2023, 10, 19, 10), tick=False):
        follow(client, link)
        client.logout()
        response, page = follow(client, link)
    assert "Ce compte est déjà activé" in page
    assert "_auth_user_id" not in client.session


def test_a_link_for_another_account_fails(client, new_account):
    other = UserFactory(email="alex@exemple.fr", is_active=False, activated_at=None, date_joined=JOINED)
    uid_of_other = activation_link(other).split("/activer/")[1].split("/")[0]
    token_of_mine = activation_link(new_account).rstrip("/").split("/")[-1]
    with time_machine.travel(paris(2023, 10, 19, 10), tick=False):
        response, page = follow(client, f"/compte/activer/{uid_of_other}/{token_of_mine}/")
    other.refresh_from_db()
    assert not other.is_active
    assert response.status_code == 400
    assert "Ce lien n'est pas valide" in page


@pytest.mark.parametrize("tamper", [lambda url: url[:-3] + "xx/", lambda url: url.replace("/activer/", "/activer/Mz")])
def test_an_altered_link_fails(client, new_account, tamper):
    with time_machine.travel(paris(2023, 10, 19, 10), tick=False):
        response, page = follow(client, tamper(activation_link(new_account)))
    new_account.refresh_from_db()
    assert not new_account.is_active
    assert "Ce lien n'est pas valide" in page


def test_asking_for_the_link_again_sends_it_but_does_not_extend_the_48_hours(client, new_account, run_on_commit):
    with time_machine.travel(paris(2023, 10, 20, 10), tick=False), run_on_commit():
        client.post(reverse("candidates:resend_activation"), {"email": "CAMILLE.martin@exemple.fr"})
    assert "20 octobre 2023 à 14h05" in mail.outbox[-1].body
    with time_machine.travel(paris(2023, 10, 20, 14, 6), tick=False):
        response, page = follow(client, link_in_last_email())
    new_account.refresh_from_db()
    assert not new_account.is_active


def test_asking_for_a_link_for_an_unknown_address_says_the_same_and_sends_no_link(client, run_on_commit):
    with run_on_commit():
        response = client.post(reverse("candidates:resend_activation"), {"email": "inconnu@exemple.fr"}, follow=True)
    assert "Si un compte en attente d'activation existe" in html.unescape(response.content.decode())
    [sent] = mail.outbox
    assert "Aucun compte n'attend d'activation à cette adresse" in sent.body
    assert "/activer/" not in sent.body


def test_an_activated_account_gets_no_new_activation_link(client, candidate, run_on_commit):
    with run_on_commit():
        client.post(reverse("candidates:resend_activation"), {"email": candidate.email})
    [sent] = mail.outbox
    assert "Votre compte est déjà activé" in sent.body
    assert "/activer/" not in sent.body


def test_sign_up_then_the_emailed_link_activates_and_the_chosen_password_logs_in(client, run_on_commit):
    with run_on_commit():
        client.post(reverse("candidates:signup"), {
            "email": "nouveau@exemple.fr", "password1": "une phrase de passe solide",
            "password2": "une phrase de passe solide", "last_name": "Petit", "first_name": "Lou", "birth_date": "2001-02-03",
        })
    response, page = follow(client, link_in_last_email())
    assert User.objects.get(email="nouveau@exemple.fr").is_active
    assert "_auth_user_id" not in client.session
    logged_in = client.post(reverse("candidates:login"), {"username": "nouveau@exemple.fr", "password": "une phrase de passe solide"})
    assert logged_in.status_code == 302
    assert int(client.session["_auth_user_id"]) == User.objects.get(email="nouveau@exemple.fr").pk
