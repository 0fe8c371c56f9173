"""On a phone: an activation link opened while another account is logged in says whose link it
is and switches account only when asked."""

import re

import pytest
from playwright.sync_api import expect

from candidates.models import User
from candidates.tokens import activation_link
from tests.browser.helpers import PHONE, log_in, serious_violations
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "une phrase de passe solide"


def open_the_link_logged_in_as_another_account(live_server, page):
    UserFactory(email="alex.durand@exemple.fr", password=PASSWORD)
    new = UserFactory(email="camille.martin@exemple.fr", is_active=False, activated_at=None)
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "alex.durand@exemple.fr", PASSWORD)
    page.goto(re.sub(r"^https?://[^/]+", live_server.url, activation_link(new)))
    return new


def test_an_activation_link_for_another_account_asks_to_log_out_first(live_server, page):
    new = open_the_link_logged_in_as_another_account(live_server, page)
    expect(page).to_have_url(re.compile(r"/lien/$"))  # the token left the address bar
    expect(page.get_by_role("heading", level=1)).to_have_text("Ce lien active un autre compte")
    expect(page.get_by_text("Vous êtes connecté(e) en tant que alex.durand@exemple.fr")).to_be_visible()
    expect(page.get_by_text("c•••@exemple.fr")).to_be_visible()
    button = page.get_by_role("button", name="Me déconnecter et activer ce compte")
    expect(button).to_be_visible()
    expect(page.get_by_role("link", name="Rester sur mon compte")).to_be_visible()
    page.screenshot(path="/tmp/h4-activation-other-account.png", full_page=True)
    assert not User.objects.get(pk=new.pk).is_active

    button.click()
    expect(page.get_by_text("Votre compte est activé. Connectez-vous avec le mot de passe choisi")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")
    expect(page.locator("header")).not_to_contain_text("alex.durand@exemple.fr")  # logged out, and nobody logged in
    expect(page.locator("header")).not_to_contain_text("camille.martin@exemple.fr")
    assert User.objects.get(pk=new.pk).is_active


def test_the_page_passes_axe(live_server, a11y_page):
    open_the_link_logged_in_as_another_account(live_server, a11y_page)
    expect(a11y_page.get_by_role("heading", level=1)).to_have_text("Ce lien active un autre compte")
    assert serious_violations(a11y_page) == []
