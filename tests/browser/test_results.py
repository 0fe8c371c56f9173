import io
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from exams.models import Epreuve, Mark, RattrapageChoice, Specialty
from tests.factories import MarkFactory, RegistrationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "une phrase de passe solide"
FIRST = {"E1": "4", "E2": "4", "E31": "4", "E32": "4", "E4": "12", "E5": "12", "E6": "12"}


def test_a_candidate_picks_two_orals_then_sees_admis_and_the_transcript(live_server, page):
    from importlib import import_module

    from django.apps import apps

    import_module("exams.migrations.0008_epreuves_seed").load(apps, None)
    user = UserFactory(email="camille@exemple.fr", password=PASSWORD)
    registration = RegistrationFactory(candidate=user, specialty=Specialty.objects.get(code="BAT"), status="locked")
    session = registration.session
    session.rattrapage_choice_deadline = timezone.now() + timedelta(days=2)
    session.save()
    epreuves = {e.code: e for e in Epreuve.objects.filter(specialty=registration.specialty)}
    for code, value in FIRST.items():
        MarkFactory(registration=registration, epreuve=epreuves[code], value=D(value))

    page.goto(live_server.url + "/compte/connexion/")
    page.get_by_label("Adresse électronique").fill("camille@exemple.fr")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{live_server.url}/inscription/{registration.pk}/resultats/")

    expect(page.locator("#decision")).to_have_text("admis(e) à l'épreuve de rattrapage")
    page.get_by_label("E1 — Culture générale et expression").check(force=True)
    page.get_by_label("E2 — Anglais").check(force=True)
    page.get_by_role("button", name="Enregistrer mon choix").click()
    expect(page.get_by_text("Vos deux épreuves de rattrapage sont enregistrées.")).to_be_visible()
    assert set(RattrapageChoice.objects.get().epreuves.values_list("code", flat=True)) == {"E1", "E2"}

    for code, value in {"E1": "12", "E2": "6"}.items():
        MarkFactory(registration=registration, epreuve=epreuves[code], group=Mark.RATTRAPAGE, value=D(value))
    page.reload()
    expect(page.locator("#decision")).to_have_text("admis(e)")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger mon relevé de notes (PDF)").click()
    text = PdfReader(io.BytesIO(open(download.value.path(), "rb").read())).pages[0].extract_text()
    assert "Relevé de notes" in text and "admis(e)" in text
