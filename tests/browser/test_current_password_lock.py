"""On a phone: a logged-in candidate who mistypes the current password 5 times on the change of
address is told, in words that fit someone already logged in, that it is blocked and until when."""

import pytest
from playwright.sync_api import expect

from candidates.models import User
from tests.browser.helpers import PHONE, log_in, serious_violations
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "une phrase de passe solide"


def guess_the_current_password_five_times(live_server, page):
    UserFactory(email="camille@exemple.fr", password=PASSWORD)
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "camille@exemple.fr", PASSWORD)

    page.goto(live_server.url + "/compte/adresse-electronique/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Changer d'adresse électronique")
    for attempt in range(5):
        page.get_by_label("Nouvelle adresse électronique").fill("boite.du.voleur@exemple.fr")
        page.get_by_label("Mot de passe actuel").fill(f"essai {attempt}")
        page.get_by_role("button", name="Recevoir le lien de confirmation").click()
        if attempt < 4:
            expect(page.get_by_text("Mot de passe incorrect.").first).to_be_visible()


def test_five_wrong_current_passwords_on_the_change_of_address_block_it_and_say_until_when(live_server, page):
    guess_the_current_password_five_times(live_server, page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mot de passe temporairement bloqué")
    expect(page.get_by_text("Vous restez connecté(e) à votre espace. Vous pourrez réessayer à partir de")).to_be_visible()
    expect(page.get_by_role("link", name="Revenir à Mon compte")).to_be_visible()
    page.screenshot(path="/tmp/h7-current-password-locked.png", full_page=True)
    assert User.objects.get(email="camille@exemple.fr").email == "camille@exemple.fr"


def test_the_page_passes_axe(live_server, a11y_page):
    guess_the_current_password_five_times(live_server, a11y_page)
    expect(a11y_page.get_by_role("heading", level=1)).to_have_text("Mot de passe temporairement bloqué")
    assert serious_violations(a11y_page) == []
