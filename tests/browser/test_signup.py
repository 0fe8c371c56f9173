import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from candidates.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_open_the_emailed_link_and_land_logged_in(live_server, page):
    page.goto(live_server.url)
    page.get_by_role("main").get_by_role("link", name="Créer mon compte").click()

    page.get_by_label("Adresse électronique").fill("lou.petit@exemple.fr")
    page.get_by_label("Mot de passe", exact=False).first.fill("une phrase de passe solide")
    page.get_by_label("Confirmation du mot de passe").fill("une phrase de passe solide")
    page.get_by_label("Nom de naissance").fill("Petit")
    page.get_by_label("Prénoms").fill("Lou")
    page.get_by_label("Date de naissance").fill("2002-03-04")
    page.get_by_role("button", name="Créer mon compte").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Activez votre compte")
    expect(page.get_by_text(re.compile(r"avant le \d+ \S+ \d{4} à \d{2}h\d{2}"))).to_be_visible()
    assert not User.objects.get(email="lou.petit@exemple.fr").is_active

    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    page.goto(live_server.url + re.sub(r"^https?://[^/]+", "", link))

    expect(page.get_by_text("Votre compte est activé")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")
    expect(page.locator("header")).to_contain_text("lou.petit@exemple.fr")
    assert User.objects.get(email="lou.petit@exemple.fr").is_active


def test_a_mistake_is_shown_next_to_its_field_and_the_rest_is_kept(live_server, page):
    page.goto(live_server.url + "/compte/creer/")
    page.get_by_label("Adresse électronique").fill("lou.petit@exemple.fr")
    page.get_by_label("Mot de passe", exact=False).first.fill("court")
    page.get_by_label("Confirmation du mot de passe").fill("court")
    page.get_by_label("Nom de naissance").fill("Petit")
    page.get_by_label("Prénoms").fill("Lou")
    page.get_by_label("Date de naissance").fill("2002-03-04")
    page.get_by_role("button", name="Créer mon compte").click()

    expect(page.locator("#id_password1-desc-error")).to_contain_text("12 caractères")
    summary_link = page.locator("#erreurs-formulaire").get_by_role("link", name=re.compile(r"^Mot de passe :"))
    expect(summary_link).to_have_attribute("href", "#id_password1")
    summary_link.click()
    expect(page).to_have_url(re.compile("#id_password1$"))
    expect(page.get_by_label("Nom de naissance")).to_have_value("Petit")
    assert not User.objects.filter(email="lou.petit@exemple.fr").exists()
