import io
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from exams.models import Epreuve, Mark, RattrapageChoice, Specialty
from tests.browser.helpers import PHONE, log_in
from tests.exams.helpers import confirm_jury
from tests.factories import MarkFactory, RegistrationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "une phrase de passe solide"
FIRST = {"E1": "4", "E2": "4", "E31": "4", "E32": "4", "E4": "12", "E5": "12", "E6": "12"}


def test_on_a_phone_nothing_shows_before_publication_then_the_choice_then_admis_and_the_transcript(live_server, page):
    from importlib import import_module

    from django.apps import apps

    import_module("exams.migrations.0008_epreuves_seed").load(apps, None)
    user = UserFactory(email="camille@exemple.fr", password=PASSWORD)
    registration = RegistrationFactory(candidate=user, specialty=Specialty.objects.get(code="BAT"), status="locked")
    session = registration.session
    session.first_group_results_published_at = timezone.now() + timedelta(days=1)
    session.rattrapage_choice_deadline = timezone.now() + timedelta(days=2)
    session.save()
    epreuves = {e.code: e for e in Epreuve.objects.filter(specialty=registration.specialty)}
    for code, value in FIRST.items():
        MarkFactory(registration=registration, epreuve=epreuves[code], value=D(value))

    page.set_viewport_size(PHONE)
    log_in(page, live_server, "camille@exemple.fr", PASSWORD)
    page.goto(f"{live_server.url}/inscription/{registration.pk}/resultats/")
    expect(page.get_by_text("Les résultats de la session seront publiés ici après la délibération du jury")).to_be_visible()
    expect(page.get_by_text("4,00")).to_have_count(0)
    page.screenshot(path="/tmp/shots/results-not-published.png", full_page=True)

    session.first_group_results_published_at = timezone.now() - timedelta(minutes=1)  # the first group is published
    session.save()
    page.reload()
    expect(page.get_by_role("heading", name="Vous êtes admis(e) à l'épreuve de rattrapage")).to_be_visible()
    expect(page.get_by_text("4,00")).to_have_count(0)  # still no mark before the session's results
    page.get_by_label("E1 — Culture générale et expression").check(force=True)
    page.get_by_label("E2 — Anglais").check(force=True)
    page.get_by_role("button", name="Enregistrer mon choix").click()
    expect(page.get_by_text("Vos deux épreuves de rattrapage sont enregistrées.")).to_be_visible()
    page.screenshot(path="/tmp/shots/results-rattrapage-choice.png", full_page=True)
    assert set(RattrapageChoice.objects.get().epreuves.values_list("code", flat=True)) == {"E1", "E2"}

    for code, value in {"E1": "12", "E2": "6"}.items():
        MarkFactory(registration=registration, epreuve=epreuves[code], group=Mark.RATTRAPAGE, value=D(value))
    session.results_published_at = timezone.now() - timedelta(minutes=1)  # the session's results are out
    session.save()
    page.reload()
    expect(page.locator("#decision")).to_have_text("en attente de la délibération du jury")  # the marks alone decide nothing
    expect(page.get_by_role("link", name="Télécharger mon relevé de notes (PDF)")).to_have_count(0)
    confirm_jury(registration)
    page.reload()
    expect(page.locator("#decision")).to_have_text("admis(e)")
    page.screenshot(path="/tmp/shots/results-published.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger mon relevé de notes (PDF)").click()
    text = PdfReader(io.BytesIO(open(download.value.path(), "rb").read())).pages[0].extract_text()
    assert "Relevé de notes" in text and "admis(e)" in text
