import pytest
from playwright.sync_api import expect

from tests.factories import MessageFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "une phrase de passe solide"


def log_in(page, live_server, email):
    page.goto(live_server.url + "/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_a_candidate_updates_the_address_and_reads_a_message(live_server, page):
    user = UserFactory(email="camille@exemple.fr", password=PASSWORD)
    MessageFactory(recipient=user, subject="Votre inscription", body_text="Bonjour Camille,\nVotre inscription est enregistrée.")
    log_in(page, live_server, "Camille@Exemple.fr")

    page.goto(live_server.url + "/compte/")
    page.get_by_label("Date de naissance").fill("2003-05-14")
    page.get_by_label("Adresse", exact=True).fill("12 rue de la Paix")
    page.get_by_label("Code postal").fill("14000")
    page.get_by_label("Commune").fill("Caen")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Vos informations sont enregistrées.")).to_be_visible()

    nav = page.locator("#fr-navigation")
    expect(nav).to_contain_text("1 non lu")
    nav.get_by_role("link", name="Mes messages").click()
    page.get_by_role("link", name="Votre inscription").click()
    expect(page.get_by_text("Votre inscription est enregistrée.")).to_be_visible()
    expect(page.locator("#fr-navigation")).not_to_contain_text("non lu")
    user.refresh_from_db()
    assert user.city == "Caen"


def test_five_wrong_passwords_show_until_when_the_login_is_blocked(live_server, page):
    UserFactory(email="camille@exemple.fr", password=PASSWORD)
    page.goto(live_server.url + "/compte/connexion/")
    for _ in range(5):
        page.get_by_label("Adresse électronique").fill("camille@exemple.fr")
        page.get_by_label("Mot de passe").fill("mauvais mot de passe")
        page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion temporairement bloquée")
    expect(page.get_by_text("Vous pourrez réessayer à partir de")).to_be_visible()
