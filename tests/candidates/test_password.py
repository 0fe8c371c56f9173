import pytest
import time_machine
from django.core import mail
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
