"""On a phone, a candidate logs in and lands on their registration, whose dashboard says where it
stands at every status, with one next step; the menu holds what the candidate has."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from documents.models import PieceStatus
from exams.models import RegistrationStatus
from tests.browser.helpers import PASSWORD, PHONE, log_in
from tests.documents.helpers import give_every_piece
from tests.factories import ConvocationFactory, MarkFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in_on_a_phone(page, live_server):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "camille@exemple.fr", PASSWORD)


def open_menu(page):
    page.get_by_role("button", name="Menu").click()
    return page.locator("#fr-menu-mobile")


def test_a_candidate_logs_in_and_lands_on_their_registration(live_server, page, registration):
    log_in_on_a_phone(page, live_server)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon inscription n° 2125-000001")
    menu = open_menu(page)
    for label in ["Mon inscription", "Mes documents", "Mes justificatifs", "Mon compte", "Mes messages"]:
        expect(menu.get_by_role("link", name=label)).to_be_visible()
    expect(menu.get_by_role("link", name="Mes convocations")).to_have_count(0)
    expect(menu.get_by_role("link", name="Mes résultats")).to_have_count(0)
    page.screenshot(path="/tmp/shots/f2-menu.png", full_page=True)
    menu.get_by_role("link", name="Mes justificatifs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes justificatifs")


def test_the_home_page_offers_to_continue_the_registration(live_server, page, registration):
    log_in_on_a_phone(page, live_server)
    page.goto(live_server.url)
    page.get_by_role("link", name="Continuer mon inscription").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon inscription n° 2125-000001")


def _form_unfinished(registration):
    registration.language = ""
    registration.save()


def _all_given(registration):
    give_every_piece(registration, timezone.now())


def _locked(registration):
    _all_given(registration)
    registration.status = RegistrationStatus.LOCKED
    registration.save()


def _to_replace(registration):
    _locked(registration)
    registration.pieces.filter(piece_kind__code="identity").update(
        status=PieceStatus.TO_REPLACE, review_reason="Copie illisible", replace_until=timezone.now() + timedelta(days=5))


def _cancelled(registration):
    session = registration.session
    session.registration_opens_at, session.registration_closes_at = timezone.now() - timedelta(days=30), timezone.now() - timedelta(days=1)
    session.save()
    registration.status = RegistrationStatus.CANCELLED
    registration.save()


@pytest.mark.parametrize("name, arrange, line, step", [
    ("draft-incomplete", _form_unfinished, "Votre inscription n'est pas terminée : des réponses manquent.",
     "Continuer : Spécialité et épreuves"),
    ("pieces-missing", lambda r: None, "Votre formulaire est rempli. Il manque 2 pièces justificatives", "Mes justificatifs"),
    ("all-given", _all_given, "Votre inscription est complète : toutes vos pièces sont déposées.", "J'ai fourni toutes mes pièces"),
    ("locked", _locked, "Votre inscription est validée définitivement.", None),
    ("to-replace", _to_replace, "Une pièce est à remplacer : Pièce d'identité.", "Mes justificatifs"),
    ("cancelled", _cancelled, "Candidature annulée : à la date limite du", None),
])
def test_the_dashboard_says_where_the_registration_stands(live_server, page, registration, name, arrange, line, step):
    arrange(registration)
    log_in_on_a_phone(page, live_server)
    standing = page.locator("#standing")
    expect(standing.get_by_role("heading", level=2)).to_contain_text(line)
    if step:
        expect(standing.get_by_role("link", name=step)).to_be_visible()
    else:
        expect(standing.get_by_role("link")).to_have_count(0)
    if name != "all-given":
        expect(page.get_by_text("Votre inscription est complète")).to_have_count(0)
    page.screenshot(path=f"/tmp/shots/f2-dashboard-{name}.png", full_page=True)
    if name == "to-replace":
        expect(standing).to_contain_text("Copie illisible")
        page.goto(live_server.url)
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("Une pièce est à remplacer : Pièce d'identité.")
        page.screenshot(path="/tmp/shots/f2-home-to-replace.png", full_page=True)
        alert.get_by_role("link", name="Mes justificatifs").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Mes justificatifs")


def test_after_the_lock_mes_documents_asks_nothing_more(live_server, page, registration):
    _locked(registration)
    log_in_on_a_phone(page, live_server)
    page.get_by_role("main").get_by_role("link", name="Mes documents").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes documents")
    expect(page.get_by_text("il n'y a plus rien à signer")).to_be_visible()
    expect(page.get_by_text("Imprimez-la")).to_have_count(0)
    page.screenshot(path="/tmp/shots/f2-my-documents-locked.png", full_page=True)


def test_the_menu_shows_convocations_and_results_once_they_hold_something(live_server, page, registration):
    _locked(registration)
    ConvocationFactory(registration=registration)
    MarkFactory(registration=registration)
    log_in_on_a_phone(page, live_server)
    menu = open_menu(page)
    expect(menu.get_by_role("link", name="Mes convocations")).to_be_visible()
    expect(menu.get_by_role("link", name="Mes résultats")).to_have_count(0)  # marks imported, not yet published
    registration.session.results_published_at = timezone.now()
    registration.session.save()
    page.reload()
    menu = open_menu(page)
    page.screenshot(path="/tmp/shots/f2-menu-convocations-results.png", full_page=True)
    menu.get_by_role("link", name="Mes résultats").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes résultats")
