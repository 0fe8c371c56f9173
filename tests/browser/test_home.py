import re

import pytest
from playwright.sync_api import expect

from exams.models import ExamSession
from tests.factories import ExamSessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_sees_the_2024_window_in_french(live_server, page):
    page.goto(live_server.url)

    expect(page.locator("header.fr-header")).to_contain_text("République")
    window = page.locator("#registration-window")
    expect(window).to_contain_text("mercredi 18 octobre 2023 à 12h00")
    expect(window).to_contain_text("mercredi 15 novembre 2023 à 17h00")
    expect(window).to_contain_text("Inscriptions closes")


def test_the_countdown_runs_while_registrations_are_open(live_server, page):
    ExamSession.objects.all().delete()
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    ExamSessionFactory(registration_opens_at=now - timedelta(days=1), registration_closes_at=now + timedelta(days=3, hours=5))

    page.goto(live_server.url)

    expect(page.locator("#countdown")).to_have_text(re.compile(r"^3 jours et (4|5) heures$"))


def test_the_dsfr_scripts_work_and_the_links_lead_to_the_account_pages(live_server, page):
    page.goto(live_server.url)

    page.get_by_role("button", name="Qui peut s'inscrire comme candidat individuel ?").click()
    expect(page.get_by_text("1\u202f350 heures de formation en CFA")).to_be_visible()  # grouped, as French writes it

    page.get_by_role("main").get_by_role("link", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")


def test_on_a_phone_the_menu_opens_from_the_burger_button(live_server, page):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server.url)

    page.get_by_role("button", name="Menu").click()
    expect(page.locator("#fr-menu-mobile").get_by_role("link", name="Accueil")).to_be_visible()
