"""On a phone, a form page drawn from the skeleton (portal/form_page.html) and pages of status badges
(portal/_status_badge.html) read by their French words and roles, with no serious axe violation."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from documents.requirements import requirements_copy
from exams.models import ExamSession
from tests.browser.helpers import PHONE, log_in, serious_violations
from tests.documents.files import pdf_bytes
from tests.factories import ExamSessionFactory, RegistrationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "une phrase de passe solide"


def test_on_a_phone_each_mistake_is_summed_up_and_leads_to_its_field(live_server, a11y_page):
    page = a11y_page
    page.set_viewport_size(PHONE)
    UserFactory(email="camille@exemple.fr", password=PASSWORD)
    log_in(page, live_server, "camille@exemple.fr", PASSWORD)
    page.goto(live_server.url + "/compte/mot-de-passe/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Changer mon mot de passe")
    expect(page.get_by_label("Ancien mot de passe")).to_have_attribute("autocomplete", "current-password")
    expect(page.get_by_label("Ancien mot de passe")).to_have_attribute("required", "")
    expect(page.get_by_role("textbox", name=re.compile(r"^Nouveau mot de passe"))).to_have_attribute("autocomplete", "new-password")
    page.get_by_label("Ancien mot de passe").fill("pas le bon mot de passe")
    page.get_by_role("textbox", name=re.compile(r"^Nouveau mot de passe")).fill("une autre phrase de passe")
    page.get_by_label("Confirmation du nouveau mot de passe").fill("une phrase de passe différente")
    page.get_by_role("button", name="Changer mon mot de passe").click()

    summary = page.get_by_role("alert").filter(has_text="Le formulaire n'a pas pu être enregistré")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name=re.compile(r"^Ancien mot de passe :"))).to_have_attribute("href", "#id_old_password")
    summary.get_by_role("link", name=re.compile(r"^Confirmation du nouveau mot de passe :")).click()
    expect(page.get_by_label("Confirmation du nouveau mot de passe")).to_be_focused()
    assert serious_violations(page) == []


def test_on_a_phone_the_registration_and_each_piece_say_their_state_in_words(live_server, a11y_page, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    now = timezone.now()
    session = ExamSessionFactory(year=2125, registration_opens_at=now - timedelta(days=1), registration_closes_at=now + timedelta(days=9))
    requirements_copy(from_session=ExamSession.objects.get(year=2024), to_session=session)
    registration = RegistrationFactory(candidate=UserFactory(email="camille@exemple.fr", password=PASSWORD),
                                       session=session, number="2125-000001")
    scan = tmp_path / "carte.pdf"
    scan.write_bytes(pdf_bytes())
    page = a11y_page
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "camille@exemple.fr", PASSWORD)

    page.goto(f"{live_server.url}/inscription/{registration.pk}/")
    expect(page.get_by_role("main").get_by_text("En cours (modifiable)", exact=True)).to_be_visible()
    assert serious_violations(page) == []

    page.locator("#standing").get_by_role("link", name="Mes justificatifs").click()  # the next step
    expect(page.get_by_role("heading", name="Pièce d'identité Manquante", exact=True)).to_be_visible()
    section = page.locator("section").filter(has=page.get_by_role("heading", name=re.compile(r"^Pièce d'identité")))
    section.get_by_label("Ajouter un ou plusieurs fichiers").set_input_files(str(scan))
    section.get_by_role("button", name="Téléverser").click()
    expect(page.get_by_role("heading", name="Pièce d'identité Reçue", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Confirmation d'inscription datée et signée Manquante", exact=True)).to_be_visible()
    assert serious_violations(page) == []
