import html

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from candidates.models import Message
from tests.candidates.helpers import link_in_last_email, path_of
from tests.factories import UserFactory, paris

pytestmark = pytest.mark.django_db

NEW = "une toute nouvelle phrase"


def ask_reset(client, run_on_commit, email):
    with run_on_commit():
        return client.post(reverse("candidates:password_reset"), {"email": email})


def set_new_password(client, link):
    page = client.get(path_of(link), follow=True)
    return client.post(page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})


def test_a_reset_link_is_emailed_recorded_and_works(client, candidate, run_on_commit):
    with time_machine.travel(paris(2023, 11, 10, 9), tick=False):
        ask_reset(client, run_on_commit, candidate.email.upper())
        assert Message.objects.filter(recipient=candidate, subject="Choisissez un nouveau mot de passe").exists()
        response = set_new_password(client, link_in_last_email())
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.check_password(NEW)


def test_the_reset_link_expires_after_one_hour(client, candidate, run_on_commit):
    with time_machine.travel(paris(2023, 11, 10, 9), tick=False):
        ask_reset(client, run_on_commit, candidate.email)
    with time_machine.travel(paris(2023, 11, 10, 10, 1), tick=False):
        response = client.get(path_of(link_in_last_email()), follow=True)
    assert "n'est plus valable" in response.content.decode().replace("&#x27;", "'")
    candidate.refresh_from_db()
    assert not candidate.check_password(NEW)


def test_an_unknown_address_gets_the_same_page_and_an_email_with_no_link(client, run_on_commit):
    response = ask_reset(client, run_on_commit, "inconnu@exemple.fr")
    assert response.status_code == 302
    assert response["Location"] == reverse("candidates:password_reset_done")
    [sent] = mail.outbox
    assert sent.to == ["inconnu@exemple.fr"]
    assert "Aucun compte activé n'y est rattaché" in sent.body
    assert "/mot-de-passe/nouveau/" not in sent.body


def test_a_not_yet_activated_account_gets_no_reset_link(client, run_on_commit):
    UserFactory(email="nouveau@exemple.fr", is_active=False, activated_at=None)
    ask_reset(client, run_on_commit, "nouveau@exemple.fr")
    assert "/mot-de-passe/nouveau/" not in mail.outbox[-1].body


def test_a_candidate_changes_the_password(client):
    user = UserFactory(password="une phrase de passe solide")
    client.force_login(user)
    response = client.post(reverse("candidates:password_change"), {
        "old_password": "une phrase de passe solide", "new_password1": NEW, "new_password2": NEW,
    })
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)


def test_a_wrong_current_password_changes_nothing(client):
    user = UserFactory(password="une phrase de passe solide")
    client.force_login(user)
    response = client.post(reverse("candidates:password_change"), {
        "old_password": "faux", "new_password1": NEW, "new_password2": NEW,
    })
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password("une phrase de passe solide")


def change_password(client, old_password, ip="203.0.113.7"):
    return client.post(reverse("candidates:password_change"), {
        "old_password": old_password, "new_password1": NEW, "new_password2": NEW,
    }, REMOTE_ADDR=ip)


def test_the_fifth_wrong_current_password_locks_the_password_change_and_the_login(client):
    user = UserFactory(email="camille.martin@exemple.fr", password="une phrase de passe solide")
    with time_machine.travel(paris(2023, 11, 15, 16, 30), tick=False):
        client.force_login(user)
        for attempt in range(4):
            assert change_password(client, f"essai-{attempt}").status_code == 200
        locked = change_password(client, "essai-5")
        right_password_refused = change_password(client, "une phrase de passe solide")
        from_the_login = Client().post(reverse("candidates:login"), {
            "username": user.email, "password": "une phrase de passe solide"}, REMOTE_ADDR="203.0.113.7")
    assert locked.status_code == 429
    assert "Vous pourrez réessayer à partir de 16h45" in html.unescape(locked.content.decode())
    assert right_password_refused.status_code == 429
    assert from_the_login.status_code == 429
    user.refresh_from_db()
    assert user.check_password("une phrase de passe solide")


def test_a_password_reset_ends_the_sessions_of_whoever_set_the_first_password(run_on_commit):
    """Someone signs up another person's address with a password of their own. The owner
    activates (which logs nobody in), then resets the password: the other's session ends."""
    squatter, owner = Client(REMOTE_ADDR="203.0.113.66"), Client(REMOTE_ADDR="198.51.100.20")
    with run_on_commit():
        squatter.post(reverse("candidates:signup"), {
            "email": "camille.martin@exemple.fr", "password1": "le mot de passe du squatteur",
            "password2": "le mot de passe du squatteur", "last_name": "Martin", "first_name": "Camille",
            "birth_date": "2003-05-14"})
    owner.get(path_of(link_in_last_email("camille.martin@exemple.fr")), follow=True)
    assert "_auth_user_id" not in owner.session
    squatter.post(reverse("candidates:login"), {"username": "camille.martin@exemple.fr", "password": "le mot de passe du squatteur"})
    assert squatter.get(reverse("candidates:account")).status_code == 200

    ask_reset(owner, run_on_commit, "camille.martin@exemple.fr")
    assert set_new_password(owner, link_in_last_email("camille.martin@exemple.fr")).status_code == 302

    response = squatter.get(reverse("candidates:account"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("candidates:login"))
    again = squatter.post(reverse("candidates:login"), {"username": "camille.martin@exemple.fr", "password": "le mot de passe du squatteur"})
    assert again.status_code == 200 and "_auth_user_id" not in squatter.session


def test_wrong_current_passwords_on_the_password_change_count_against_the_client_address_limit(client, settings):
    settings.LOGIN_FAILURES_PER_CLIENT_PER_HOUR = 3
    user = UserFactory(email="camille.martin@exemple.fr", password="une phrase de passe solide")
    client.force_login(user)
    for attempt in range(3):
        change_password(client, f"essai-{attempt}")
    assert Client().post(reverse("candidates:login"), {
        "username": "quelqu.un@exemple.fr", "password": "faux"}, REMOTE_ADDR="203.0.113.7").status_code == 429
    refused = change_password(client, "une phrase de passe solide")
    assert refused.status_code == 429
    assert "depuis votre réseau, sur un ou plusieurs comptes" in html.unescape(refused.content.decode())
    user.refresh_from_db()
    assert user.check_password("une phrase de passe solide")
