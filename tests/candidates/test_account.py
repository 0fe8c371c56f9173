import html

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from candidates.models import ProfileChange, User
from tests.candidates.helpers import link_in_last_email, path_of
from tests.factories import paris
from tests.portal.helpers import log_in_with_second_factor

pytestmark = pytest.mark.django_db

SITUATION = {
    "last_name": "Martin", "first_name": "Camille", "birth_date": "2003-05-14",
    "address_line": "12 rue de la Paix", "address_complement": "", "postal_code": "14000",
    "city": "Caen", "country": "France", "phone": "06 12 34 56 78",
}


def save_situation(client, **changes):
    return client.post(reverse("candidates:account"), {**SITUATION, **changes})


def test_mon_compte_needs_a_login(client):
    response = client.get(reverse("candidates:account"))
    assert response.status_code == 302
    assert reverse("candidates:login") in response["Location"]


def test_a_change_of_address_is_saved_and_kept_in_the_history(client, candidate):
    client.force_login(candidate)
    save_situation(client)
    save_situation(client, address_line="3 place Saint-Pierre", city="Lisieux", postal_code="14100")

    candidate.refresh_from_db()
    assert candidate.city == "Lisieux"
    city_changes = ProfileChange.objects.filter(user=candidate, field="city").order_by("pk")
    assert [(c.old_value, c.new_value) for c in city_changes] == [("", "Caen"), ("Caen", "Lisieux")]
    assert all(change.changed_by == candidate for change in city_changes)


def test_after_saving_the_page_leads_back_to_the_registration(client, candidate):
    from tests.factories import RegistrationFactory

    registration = RegistrationFactory(candidate=candidate)
    client.force_login(candidate)
    page = html.unescape(client.get(save_situation(client)["Location"]).content.decode())
    assert "Vos informations sont enregistrées." in page
    assert f'href="{reverse("documents:overview", args=[registration.pk])}">Revenir à mon inscription' in page


def test_without_a_registration_there_is_nothing_to_go_back_to(client, candidate):
    client.force_login(candidate)
    assert "Revenir à mon inscription" not in client.get(reverse("candidates:account")).content.decode()


def test_saving_without_a_change_records_nothing(client, candidate):
    client.force_login(candidate)
    save_situation(client)
    count = ProfileChange.objects.count()
    save_situation(client)
    assert ProfileChange.objects.count() == count


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"postal_code": "1400"}, "postal_code", "Un code postal français compte 5 chiffres"),
        ({"phone": "12"}, "phone", "Saisissez un numéro de téléphone valide"),
        ({"city": ""}, "city", "Ce champ est obligatoire."),
        ({"birth_date": "2099-01-01"}, "birth_date", "ne peut pas être dans le futur"),
    ],
)
def test_a_wrong_field_saves_nothing_and_is_explained_next_to_it(client, candidate, changes, field, message):
    client.force_login(candidate)
    response = save_situation(client, **changes)
    page = html.unescape(response.content.decode())
    assert message in page.split(f'id="id_{field}-desc-error"')[1][:400]
    candidate.refresh_from_db()
    assert candidate.city == ""
    assert not ProfileChange.objects.exists()


def test_a_foreign_address_keeps_its_own_postal_code(client, candidate):
    client.force_login(candidate)
    save_situation(client, country="Belgique", postal_code="B-1000", city="Bruxelles", phone="+32 2 123 45 67")
    candidate.refresh_from_db()
    assert candidate.postal_code == "B-1000"


def test_staff_see_the_history_in_admin(client, candidate, staff):
    client.force_login(candidate)
    save_situation(client)
    log_in_with_second_factor(client, staff)
    page = client.get(reverse("admin:candidates_user_change", args=[candidate.pk])).content.decode()
    assert "historique des changements de situation" in page.lower()
    assert "12 rue de la Paix" in page


class TestEmailChange:
    def ask(self, client, run_on_commit, new_email="camille.nouvelle@exemple.fr", password="un mot de passe solide"):
        with run_on_commit():
            return client.post(reverse("candidates:email_change"), {"new_email": new_email, "password": password})

    def test_the_address_changes_only_when_the_new_one_confirms(self, client, candidate, run_on_commit):
        client.force_login(candidate)
        self.ask(client, run_on_commit)
        assert mail.outbox[-1].to == ["camille.nouvelle@exemple.fr"]
        candidate.refresh_from_db()
        assert candidate.email == "camille.martin@exemple.fr"

        with run_on_commit():
            client.get(path_of(link_in_last_email("camille.nouvelle@exemple.fr")))

        candidate.refresh_from_db()
        assert candidate.email == "camille.nouvelle@exemple.fr"
        assert ProfileChange.objects.filter(user=candidate, field="email", new_value="camille.nouvelle@exemple.fr").exists()
        assert mail.outbox[-1].to == ["camille.martin@exemple.fr"]  # the old address is told

    def test_the_confirmation_link_works_once(self, client, candidate, run_on_commit):
        client.force_login(candidate)
        self.ask(client, run_on_commit)
        link = path_of(link_in_last_email("camille.nouvelle@exemple.fr"))
        client.get(link)
        assert client.get(link).status_code == 400

    def test_another_candidate_cannot_use_the_link(self, client, candidate, other_candidate, run_on_commit):
        client.force_login(candidate)
        self.ask(client, run_on_commit)
        client.force_login(other_candidate)
        assert client.get(path_of(link_in_last_email("camille.nouvelle@exemple.fr"))).status_code == 400
        other_candidate.refresh_from_db()
        assert other_candidate.email == "alex.durand@exemple.fr"

    def test_the_current_password_is_required(self, client, candidate, run_on_commit):
        client.force_login(candidate)
        response = self.ask(client, run_on_commit, password="faux")
        assert "Mot de passe incorrect." in response.content.decode()
        assert mail.outbox == []

    def test_the_form_never_says_an_address_is_another_accounts_whose_owner_is_told(
            self, client, candidate, other_candidate, run_on_commit):
        client.force_login(candidate)
        taken = self.ask(client, run_on_commit, new_email="ALEX.durand@exemple.fr")
        [to_owner] = mail.outbox
        free = self.ask(client, run_on_commit, new_email="libre@exemple.fr")

        assert (taken.status_code, taken["Location"]) == (free.status_code, free["Location"]) == (302, reverse("candidates:account"))
        assert to_owner.to == ["alex.durand@exemple.fr"]
        assert "rien n'a changé et aucun lien n'a été envoyé" in to_owner.body
        assert "/adresse-electronique/confirmer/" not in to_owner.body
        # The requester's « Mes messages » shows the request either way; to a taken address it is never sent.
        [withheld] = candidate.messages.filter(to_email__iexact="alex.durand@exemple.fr")
        [free_request] = candidate.messages.filter(to_email="libre@exemple.fr")
        assert (withheld.subject, withheld.status) == (free_request.subject, "withheld")
        assert withheld.body_text.lower().replace("alex.durand", "libre").split("valable")[0] == \
            free_request.body_text.lower().split("valable")[0]
        candidate.refresh_from_db()
        assert candidate.email == "camille.martin@exemple.fr"


# Issue 13's probe: « Mes messages » told which addresses have an account (closed in
# account_request_email_change: a taken address is recorded too, « non envoyé », never sent).
def test_asking_for_a_taken_address_leaves_the_same_trace_in_mes_messages_as_a_free_one(
        client, candidate, other_candidate, run_on_commit):
    """The page is the same, but « Mes messages » gains a confirmation email only when the new
    address is free: the inbox says which addresses have an account."""
    client.force_login(candidate)

    def inbox_grows_by(new_email):
        before = candidate.messages.count()
        with run_on_commit():
            client.post(reverse("candidates:email_change"), {"new_email": new_email, "password": "un mot de passe solide"})
        return candidate.messages.count() - before

    assert inbox_grows_by(other_candidate.email) == inbox_grows_by("libre@exemple.fr")


def test_a_new_account_can_log_in_years_later(client):
    from tests.factories import UserFactory, paris

    UserFactory(email="ancien@exemple.fr", password="une phrase de passe solide", date_joined=paris(2022, 10, 20))
    response = client.post(reverse("candidates:login"), {"username": "ancien@exemple.fr", "password": "une phrase de passe solide"})
    assert response.status_code == 302
    assert User.objects.get(email="ancien@exemple.fr").last_login is not None


# The current password, asked by the change of address, is checked as at the login -----------

def ask_email_change(client, password, ip="203.0.113.7"):
    return client.post(reverse("candidates:email_change"), {"new_email": "boite.du.voleur@exemple.fr", "password": password},
                       REMOTE_ADDR=ip)


def log_in(client, email, password, ip="203.0.113.7"):
    return client.post(reverse("candidates:login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_the_fifth_wrong_current_password_locks_the_change_of_address_and_the_login(client, candidate, run_on_commit):
    with time_machine.travel(paris(2023, 11, 15, 16, 30), tick=False):
        client.force_login(candidate)
        for attempt in range(4):
            assert ask_email_change(client, f"essai-{attempt}").status_code == 200
        locked = ask_email_change(client, "essai-5")
        with run_on_commit():
            right_password_refused = ask_email_change(client, "un mot de passe solide")
        from_the_login = log_in(Client(), candidate.email.upper(), "un mot de passe solide")
        from_elsewhere = log_in(Client(), candidate.email, "un mot de passe solide", ip="198.51.100.9")
    page = html.unescape(locked.content.decode())
    assert locked.status_code == 429
    assert "Mot de passe temporairement bloqué" in page
    assert "Vous restez connecté(e) à votre espace" in page and "Vous pourrez réessayer à partir de 16h45" in page
    assert right_password_refused.status_code == 429 and mail.outbox == []
    assert from_the_login.status_code == 429  # the same lock as the login's: this email from this address
    assert from_elsewhere.status_code == 302


def test_failed_logins_and_wrong_current_passwords_add_up_to_the_same_five(client, candidate):
    for attempt in range(3):
        log_in(Client(), candidate.email, f"essai-{attempt}")
    client.force_login(candidate)
    assert ask_email_change(client, "essai-3").status_code == 200
    assert ask_email_change(client, "essai-4").status_code == 429


def test_wrong_current_passwords_count_against_the_client_address_limit(client, candidate, settings):
    settings.LOGIN_FAILURES_PER_CLIENT_PER_HOUR = 3
    client.force_login(candidate)
    for attempt in range(3):
        ask_email_change(client, f"essai-{attempt}")
    response = log_in(Client(), "quelqu.un@exemple.fr", "un mot de passe solide")
    assert response.status_code == 429
    refused = ask_email_change(client, "un mot de passe solide")
    assert refused.status_code == 429
    assert "ce qui demande un mot de passe (connexion, changement d'adresse électronique ou de mot de passe)" in (
        html.unescape(refused.content.decode()))
