"""On a phone, where a candidate lands and what the page says next, at the turns the held-out
journey found misleading: after activation, after the lock, with only the address missing."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from candidates.tokens import activation_link
from documents.models import Piece
from tests.browser.helpers import PASSWORD, PHONE, log_in
from tests.documents.files import pdf_bytes
from tests.factories import PieceFactory, PieceFileFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")


def shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"landing-{name}.png"), full_page=True)


@pytest.fixture
def phone(page):
    page.set_viewport_size(PHONE)
    return page


def test_after_activation_only_the_password_is_left_to_type(live_server, phone):
    account = UserFactory(email="lea.dupont@exemple.fr", password=PASSWORD, is_active=False, activated_at=None)
    phone.goto(re.sub(r"^https?://[^/]+", live_server.url, activation_link(account)))
    expect(phone.get_by_text("Votre compte est activé.")).to_be_visible()
    expect(phone.get_by_label("Adresse électronique")).to_have_value("lea.dupont@exemple.fr")
    phone.get_by_label("Mot de passe").fill(PASSWORD)
    phone.get_by_role("button", name="Se connecter").click()
    expect(phone.get_by_role("heading", level=1, name="M'inscrire")).to_be_visible()


def test_after_the_lock_the_home_page_offers_to_see_and_no_page_asks_to_sign(live_server, phone, registration):
    for required in ["confirmation", "identity"]:
        PieceFileFactory(piece=PieceFactory(registration=registration, piece_kind__code=required), content=pdf_bytes())
    registration.status = "locked"
    registration.save()
    log_in(phone, live_server, "camille@exemple.fr", PASSWORD)
    phone.goto(live_server.url + "/")
    expect(phone.get_by_role("link", name="Voir mon inscription")).to_be_visible()
    expect(phone.get_by_role("link", name="Continuer mon inscription")).to_have_count(0)
    phone.goto(f"{live_server.url}/inscription/{registration.pk}/justificatifs/")
    expect(phone.get_by_role("heading", name=re.compile("Confirmation d'inscription datée et signée"))).to_be_visible()
    expect(phone.get_by_text(re.compile("datez-la et signez-la"))).to_have_count(0)
    shot(phone, "pieces-after-lock")
    assert Piece.objects.filter(registration=registration).count() == 2


def test_with_only_the_address_missing_mes_documents_says_so_and_mon_compte_leads_back(live_server, phone, registration):
    candidate = registration.candidate
    candidate.address_line = candidate.postal_code = candidate.city = ""
    candidate.save()
    log_in(phone, live_server, "camille@exemple.fr", PASSWORD)
    phone.goto(f"{live_server.url}/inscription/{registration.pk}/documents/")
    expect(phone.get_by_text("La confirmation d'inscription sera produite ici dès que votre inscription sera complète.")).to_be_visible()
    shot(phone, "documents-address-missing")
    phone.get_by_role("link", name="Adresse postale").click()

    phone.get_by_label("Date de naissance").fill("2004-03-09")
    phone.get_by_label("Adresse", exact=True).fill("12 rue Saint-Jean")
    phone.get_by_label("Code postal").fill("14000")
    phone.get_by_label("Commune").fill("Caen")
    phone.get_by_role("button", name="Enregistrer").click()
    expect(phone.get_by_text("Vos informations sont enregistrées.")).to_be_visible()
    phone.get_by_role("link", name="Revenir à mon inscription").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Mon inscription")
    shot(phone, "back-to-registration")


def test_a_dossier_sent_to_a_pilot_academy_is_explained_in_mes_documents(live_server, phone, registration):
    from exams.models import Specialty

    Specialty.objects.filter(pk=registration.specialty_id).update(
        dossier_pilot_academy="Lyon", dossier_instructions="Envoyez votre dossier avant le 15 avril.",
        dossier_instructions_url="https://www.ac-lyon.fr/bts-dossiers")
    log_in(phone, live_server, "camille@exemple.fr", PASSWORD)
    phone.goto(f"{live_server.url}/inscription/{registration.pk}/documents/")
    section = phone.locator("#professional-dossier")
    expect(section.get_by_role("heading", name="Dossier professionnel")).to_be_visible()
    expect(section).to_contain_text("Envoyez votre dossier avant le 15 avril.")
    expect(section.get_by_role("link", name="Les consignes de l'académie pilote")).to_have_attribute(
        "href", "https://www.ac-lyon.fr/bts-dossiers")
    shot(phone, "dossier-elsewhere")


def test_a_candidate_living_in_another_academie_is_told_where_to_register(live_server, phone, registration):
    candidate = registration.candidate
    candidate.postal_code, candidate.city = "35000", "Rennes"
    candidate.save()
    log_in(phone, live_server, "camille@exemple.fr", PASSWORD)
    phone.goto(f"{live_server.url}/inscription/{registration.pk}/")
    expect(phone.get_by_text(re.compile("qui relève de l'académie de Rennes")).first).to_be_visible()
    expect(phone.get_by_role("link", name="Adresse postale")).to_have_attribute("href", "/compte/")
    shot(phone, "residence-elsewhere")
