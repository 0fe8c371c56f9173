import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from candidates.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


PHONE = {"width": 390, "height": 844}


def test_on_a_phone_sign_up_open_the_emailed_link_then_log_in_with_the_chosen_password(live_server, page):
    """The link activates and logs nobody in: the address's owner may not be who chose the password."""
    page.set_viewport_size(PHONE)
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

    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")
    expect(page.get_by_text("Votre compte est activé. Connectez-vous avec le mot de passe choisi à la création du compte ; "
                            "si ce n'est pas vous qui l'avez choisi, utilisez « Mot de passe oublié ? ».")).to_be_visible()
    expect(page.get_by_role("link", name="Mot de passe oublié ?")).to_be_visible()
    expect(page.locator("header")).not_to_contain_text("lou.petit@exemple.fr")
    page.screenshot(path="/tmp/h7-activated-then-login.png", full_page=True)
    assert User.objects.get(email="lou.petit@exemple.fr").is_active

    page.get_by_label("Adresse électronique").fill("lou.petit@exemple.fr")
    page.get_by_label("Mot de passe").fill("une phrase de passe solide")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("header")).to_contain_text("lou.petit@exemple.fr")


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
