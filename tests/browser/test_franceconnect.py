"""FranceConnect in Chromium, on a phone, against the test provider (tests/franceconnect/): the
button, the provider's sign-in, the account made or linked, the certified identity, the identity
piece no longer asked, and the logout through the provider."""

import pytest
from playwright.sync_api import expect

from candidates.models import User
from tests.browser.helpers import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def portal(live_server, franceconnect_portal, settings):
    settings.PORTAL_BASE_URL = live_server.url  # the callback FranceConnect sends back to
    return live_server


def sign_in_at_the_provider(page, login):
    expect(page.get_by_role("heading", name="Fournisseur d'identité de test")).to_be_visible()
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill("123")
    page.get_by_role("button", name="Se connecter").click()


def test_on_a_phone_a_first_sign_in_makes_an_active_account_with_the_certified_identity(portal, phone):
    phone.goto(portal.url + "/compte/connexion/")
    expect(phone.get_by_role("link", name="Qu’est-ce que FranceConnect ?")).to_be_visible()
    phone.screenshot(path="/tmp/fc-login.png", full_page=True)
    phone.get_by_role("button", name="S’identifier avec FranceConnect").click()
    sign_in_at_the_provider(phone, "angela")

    expect(phone.locator("header")).to_contain_text("angela.dubois@example.test")
    assert User.objects.get(email="angela.dubois@example.test").is_active
    phone.goto(portal.url + "/compte/")
    expect(phone.get_by_role("heading", name="Identité certifiée par FranceConnect le", exact=False)).to_be_visible()
    expect(phone.locator("#identite-certifiee")).to_contain_text("DUBOIS")
    expect(phone.locator("#identite-certifiee")).to_contain_text("Angela Claire Louise")
    expect(phone.get_by_label("Nom de naissance", exact=True)).to_have_count(0)  # read-only, not a field
    expect(phone.get_by_label("Nom d'usage", exact=False)).to_be_visible()
    phone.screenshot(path="/tmp/fc-account.png", full_page=True)

    phone.get_by_role("button", name="Menu").click()  # on a phone the navigation sits behind it
    phone.get_by_role("dialog").get_by_role("button", name="Se déconnecter").click()
    expect(phone.get_by_text("Vous êtes déconnecté(e) du portail et de FranceConnect.")).to_be_visible()
    expect(phone.locator("header")).not_to_contain_text("angela.dubois@example.test")


def test_on_a_phone_an_existing_account_is_linked_with_its_password_and_spared_the_identity_piece(portal, phone, registration,
                                                                                                  franceconnect_portal):
    franceconnect_portal.add_identity("camille", "fc-sub-camille", {
        "given_name": "Camille", "family_name": "MARTIN", "birthdate": "2001-05-04", "gender": "female",
        "birthplace": "14118", "birthcountry": "99100", "email": "camille@exemple.fr"}, max_level="eidas1")
    phone.goto(portal.url + "/compte/connexion/")
    phone.get_by_role("button", name="S’identifier avec FranceConnect").click()
    sign_in_at_the_provider(phone, "camille")

    expect(phone.get_by_role("heading", level=1)).to_have_text("Lier votre compte à FranceConnect")
    phone.get_by_label("Mot de passe de ce compte").fill("pas le bon")
    phone.get_by_role("button", name="Lier mon compte à FranceConnect").click()
    expect(phone.get_by_text("Mot de passe incorrect.").first).to_be_visible()
    phone.get_by_label("Mot de passe de ce compte").fill(PASSWORD)
    phone.get_by_role("button", name="Lier mon compte à FranceConnect").click()

    expect(phone.get_by_text("Votre compte est désormais lié à FranceConnect : votre identité est certifiée.")).to_be_visible()
    phone.goto(f"{portal.url}/inscription/{registration.pk}/justificatifs/")
    spared = phone.locator("#piece-identity")
    expect(spared).to_contain_text("Non demandée")
    expect(spared).to_contain_text("Votre identité a été certifiée par FranceConnect : cette pièce ne vous est pas demandée.")
    phone.screenshot(path="/tmp/fc-pieces.png", full_page=True)
