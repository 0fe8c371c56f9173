"""On a phone: a candidate asks for a new password, and « Mes messages » keeps the email without
its link; only the email itself opens the page to choose the password."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.helpers import PHONE, log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "une phrase de passe solide"
NEW_PASSWORD = "une toute nouvelle phrase de passe"


def test_a_reset_email_is_kept_in_mes_messages_without_its_link(live_server, page):
    UserFactory(email="camille@exemple.fr", password=PASSWORD)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/compte/connexion/")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    page.get_by_label("Adresse électronique du compte").fill("camille@exemple.fr")
    page.get_by_role("button", name="Recevoir le lien").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre messagerie")
    expect(page.get_by_text("au plus 3 courriels par heure")).to_be_visible()
    page.screenshot(path="/tmp/portal-reset-done.png", full_page=True)
    emailed = re.search(r"https?://\S+/mot-de-passe/nouveau/\S+", mail.outbox[-1].body).group(0)

    # The emailed link, and only it, opens the page to choose a new password.
    page.goto(emailed.replace("http://127.0.0.1:8000", live_server.url))
    page.get_by_role("textbox", name=re.compile(r"^Nouveau mot de passe")).fill(NEW_PASSWORD)
    page.get_by_role("textbox", name=re.compile(r"^Confirmation du nouveau mot de passe")).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Enregistrer le mot de passe").click()

    log_in(page, live_server, "camille@exemple.fr", NEW_PASSWORD)
    page.get_by_role("button", name="Menu").click()  # on a phone the navigation sits behind it
    page.locator("#fr-navigation").get_by_role("link", name="Mes messages").click()
    page.get_by_role("link", name="Choisissez un nouveau mot de passe").click()
    expect(page.locator(".portal-message")).to_contain_text("Lien personnel envoyé par courriel à camille@exemple.fr")
    expect(page.locator(".portal-message")).to_contain_text("Pour votre sécurité, il n'est conservé nulle part ailleurs")
    expect(page.locator("a[href*='/mot-de-passe/nouveau/']")).to_have_count(0)
    assert "/mot-de-passe/nouveau/" not in page.content()
    page.screenshot(path="/tmp/portal-reset-message.png", full_page=True)
