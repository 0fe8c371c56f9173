"""The correction loop in a browser (issue 15, item 1): the candidate on a phone replaces a piece
staff sent back after the lock; two staff members at 1366×768 open the queue and get different pieces."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from documents.locking import registration_finalize
from documents.models import Piece, PieceStatus
from documents.review import piece_review
from tests.browser.helpers import PHONE, open_my_pieces
from tests.documents.files import pdf_bytes
from tests.documents.helpers import give_every_piece
from tests.factories import RegistrationFactory, StaffFactory
from tests.portal.helpers import log_in_with_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 768}


def locked(registration):
    give_every_piece(registration, timezone.now())
    registration_finalize(registration=registration, at=timezone.now())
    registration.refresh_from_db()
    return registration


def test_on_a_phone_the_candidate_replaces_a_piece_and_sends_it_back(live_server, page, registration, tmp_path):
    registration = locked(registration)
    staff = StaffFactory()
    identity = Piece.objects.get(registration=registration, piece_kind__code="identity")
    piece_review(piece=identity, accept=False, comment="Le verso de la carte manque.",
                 replace_until=timezone.now() + timedelta(days=7), by=staff)
    recto, verso = tmp_path / "recto.pdf", tmp_path / "verso.pdf"
    recto.write_bytes(pdf_bytes())
    verso.write_bytes(pdf_bytes())

    page.set_viewport_size(PHONE)
    open_my_pieces(live_server, page, registration)
    section = page.locator("#piece-identity")
    expect(section).to_contain_text("Cette pièce est à remplacer : Le verso de la carte manque.")
    page.screenshot(path="/tmp/shots/f1-pieces-to-replace-phone.png", full_page=True)

    section.get_by_role("link", name="Retirer « piece.pdf »").click()
    expect(page.get_by_role("heading", name="Retirer un fichier")).to_be_visible()
    expect(page.get_by_text("Voulez-vous retirer le fichier « piece.pdf » de la pièce « Pièce d'identité » ?")).to_be_visible()
    page.screenshot(path="/tmp/shots/f1-remove-confirmation-phone.png", full_page=True)
    page.get_by_role("button", name="Oui, retirer ce fichier").click()

    section = page.locator("#piece-identity")
    expect(page.get_by_text("Fichier « piece.pdf » retiré.")).to_be_visible()
    expect(section).to_contain_text("À remplacer")
    expect(section).to_contain_text("Le verso de la carte manque.")
    expect(section.get_by_role("button", name="Renvoyer pour contrôle")).to_have_count(0)
    section.locator("input[type=file]").set_input_files([str(recto), str(verso)])
    section.get_by_role("button", name="Téléverser").click()

    section = page.locator("#piece-identity")
    expect(section.get_by_role("link", name="recto.pdf", exact=True)).to_be_visible()
    expect(section.get_by_role("link", name="verso.pdf", exact=True)).to_be_visible()
    assert Piece.objects.get(pk=identity.pk).status == PieceStatus.TO_REPLACE  # not sent back by the upload alone
    page.screenshot(path="/tmp/shots/f1-pieces-ready-to-resubmit-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    section.get_by_role("button", name="Renvoyer pour contrôle").click()

    expect(page.get_by_text("Pièce d'identité : renvoyée pour contrôle.")).to_be_visible()
    expect(page.locator("#piece-identity")).to_contain_text("Reçue")
    page.screenshot(path="/tmp/shots/f1-pieces-resubmitted-phone.png", full_page=True)
    piece = Piece.objects.get(pk=identity.pk)
    assert piece.status == PieceStatus.RECEIVED and sorted(f.original_name for f in piece.files.all()) == ["recto.pdf", "verso.pdf"]


def staff_page(browser, live_server, agent):
    """A browser of its own for the staff member, with a session that has passed the second factor."""
    client = Client()
    log_in_with_second_factor(client, agent)
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", viewport=DESKTOP)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context, context.new_page()


def test_two_staff_members_in_the_queue_get_different_pieces(live_server, browser, registration):
    locked(registration)
    locked(RegistrationFactory(session=registration.session))
    group = Group.objects.get(name="Gestionnaire DEC")
    agents = [StaffFactory(first_name=name, last_name="Agent") for name in ("Alice", "Bruno")]
    for agent in agents:
        agent.groups.add(group)
    (first_context, first), (second_context, second) = (staff_page(browser, live_server, agent) for agent in agents)
    try:
        headings = []
        for page in (first, second):
            page.goto(live_server.url + "/admin/documents/piece/")
            page.get_by_role("link", name="Contrôler la plus ancienne pièce en attente").click()
            expect(page.get_by_role("button", name="Conforme")).to_be_visible()
            headings.append((page.url, page.locator(".review h2").first.inner_text()))
        assert headings[0][0] != headings[1][0], headings
        first.screenshot(path="/tmp/shots/f1-review-first-agent.png", full_page=True)

        # « Passer »: Alice gets another piece, and the one she passed is free for others.
        passed = first.url
        first.get_by_role("button", name="Passer").click()
        expect(first.get_by_role("button", name="Conforme")).to_be_visible()
        assert first.url not in (passed, second.url)
        second.get_by_role("button", name="Conforme").click()
        expect(second.get_by_text(": conforme.")).to_be_visible()
        assert second.url not in (first.url,)
        second.screenshot(path="/tmp/shots/f1-review-second-agent.png", full_page=True)
    finally:
        first_context.close()
        second_context.close()


def test_when_a_colleague_holds_the_last_piece_the_queue_says_so_rather_than_that_nothing_waits(
        live_server, browser, registration):
    locked(registration)
    held, *others = Piece.objects.filter(registration=registration).order_by("pk")
    Piece.objects.filter(pk__in=[p.pk for p in others]).update(status=PieceStatus.ACCEPTED)
    group = Group.objects.get(name="Gestionnaire DEC")
    alice, bruno = (StaffFactory(first_name=name, last_name="Agent") for name in ("Alice", "Bruno"))
    for agent in (alice, bruno):
        agent.groups.add(group)
    (first_context, first), (second_context, second) = (staff_page(browser, live_server, agent) for agent in (alice, bruno))
    try:
        second.goto(live_server.url + "/admin/documents/piece/")
        second.get_by_role("link", name="Contrôler la plus ancienne pièce en attente").click()
        expect(second.get_by_role("button", name="Conforme")).to_be_visible()  # Bruno holds the last piece

        first.goto(live_server.url + "/admin/documents/piece/")
        first.get_by_role("link", name="Contrôler la plus ancienne pièce en attente").click()
        expect(first.get_by_text("Aucune pièce libre : 1 pièce est en cours de contrôle par un collègue.")).to_be_visible()
        expect(first.get_by_text("Aucune pièce n'attend de contrôle.")).to_have_count(0)
        first.screenshot(path="/tmp/shots/f1-queue-held-by-colleague.png", full_page=True)
        assert Piece.objects.get(pk=held.pk).claimed_by == bruno
    finally:
        first_context.close()
        second_context.close()
