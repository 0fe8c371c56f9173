import io
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from documents.requirements import requirements_copy
from exams.models import ExamSession, Registration
from tests.factories import ExamSessionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "une phrase de passe solide"


@pytest.fixture
def open_session():
    now = timezone.now()
    session = ExamSessionFactory(year=2125, name="Session 2125",
                                 registration_opens_at=now - timedelta(days=1), registration_closes_at=now + timedelta(days=20))
    requirements_copy(from_session=ExamSession.objects.get(year=2024), to_session=session)
    return session


def test_a_candidate_fills_every_step_and_downloads_the_confirmation(live_server, page, open_session):
    UserFactory(email="camille@exemple.fr", password=PASSWORD, last_name="Lefèvre", first_name="Camille Éloïse",
                address_line="12 rue des Lilas", postal_code="14000", city="Caen")
    page.goto(live_server.url + "/compte/connexion/")
    page.get_by_label("Adresse électronique").fill("camille@exemple.fr")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    page.locator("#fr-navigation").get_by_role("link", name="M'inscrire").click()
    page.get_by_role("button", name="Commencer mon inscription").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Votre situation")
    page.get_by_text("Salarié(e) justifiant d'au moins un an d'expérience professionnelle").click()
    page.get_by_label("Durée d'expérience professionnelle salariée (mois)").fill("18")
    page.get_by_role("button", name="Enregistrer et continuer").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Votre préparation")
    page.get_by_text("Apprentissage", exact=True).click()
    page.get_by_text("Baccalauréat professionnel").click()
    page.get_by_label("Durée du contrat d'apprentissage (années)").select_option("1")
    page.get_by_label("Heures de formation en CFA").fill("600")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.locator("#id_training_hours-desc-error")).to_contain_text("675 heures minimum pour un contrat d'un an ; vous avez indiqué 600.")
    page.get_by_label("Heures de formation en CFA").fill("700")
    page.get_by_role("button", name="Enregistrer et continuer").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Spécialité et épreuves")
    page.get_by_label("Spécialité").select_option(label="Maintenance des systèmes")
    page.get_by_label("Option").select_option(label="B — Systèmes énergétiques et fluidiques")
    page.get_by_label("Langue vivante obligatoire").select_option(label="Anglais")
    page.locator("input[name=engagement_etudiant][value=False]").check(force=True)
    page.get_by_role("button", name="Enregistrer et continuer").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Dispenses et bénéfices")
    for name in ["claims_dispenses", "keeps_grade_benefits", "has_positioning_decision", "has_internship_derogation"]:
        page.locator(f"input[name={name}][value=False]").check(force=True)
    page.get_by_role("button", name="Enregistrer et continuer").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Aménagement d'épreuves")
    page.locator("input[name=handicap][value=False]").check(force=True)
    page.get_by_role("button", name="Enregistrer et continuer").click()

    expect(page.get_by_text("Votre formulaire est rempli")).to_be_visible()
    expect(page.get_by_text("car vous préparez le BTS Maintenance des systèmes, option B")).to_be_visible()
    page.get_by_role("link", name="Mes documents").last.click()

    with page.expect_download() as download_info:
        page.locator("#download-confirmation").click()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(open(download_info.value.path(), "rb").read())).pages)
    registration = Registration.objects.get()
    assert "LEFÈVRE" in text and "Camille Éloïse" in text
    assert "12 rue des Lilas" in text and "14000 Caen" in text
    assert "Maintenance des systèmes" in text
    assert f"version {registration.version}" in text
    assert "Attestation de formation à la manipulation des fluides frigorigènes" in text
