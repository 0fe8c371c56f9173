"""« Can it be validated » has one answer (documents.completeness.validation_blockers): the page
offers « J'ai fourni toutes mes pièces » exactly when the service would accept it."""

import html

import pytest
import time_machine
from django.urls import reverse

from documents.completeness import RegistrationIncomplete, validation_blockers
from documents.locking import registration_finalize
from documents.models import PieceFile, ScanStatus
from documents.pieces import piece_upload
from documents.requirements import required_pieces
from tests.documents.files import pdf_bytes, upload
from tests.factories import RegistrationFactory, paris
from tests.text import french

pytestmark = pytest.mark.django_db
OPEN = paris(2023, 11, 1, 10)
ANTIVIRUS = "l'analyse antivirus de vos derniers fichiers n'est pas terminée"


@pytest.fixture
def everything_given(candidate):
    registration = RegistrationFactory(candidate=candidate)
    for required in required_pieces(registration):
        piece_upload(registration=registration, piece_kind=required.kind, uploads=[upload("piece.pdf", pdf_bytes())], at=OPEN)
    return registration


def pieces_page(client, registration):
    with time_machine.travel(OPEN, tick=False):
        return html.unescape(client.get(reverse("documents:pieces", args=[registration.pk])).content.decode())


def test_a_complete_registration_has_no_blocker_and_the_page_offers_the_button(logged_in, everything_given):
    assert validation_blockers(everything_given) == []
    page = pieces_page(logged_in, everything_given)
    assert reverse("documents:finalize", args=[everything_given.pk]) in page
    assert "Vous ne pouvez pas encore valider" not in page


def test_while_a_scan_is_pending_the_page_says_why_and_the_service_refuses_for_the_same_reason(logged_in, everything_given):
    PieceFile.objects.filter(piece__registration=everything_given).update(scan_status=ScanStatus.PENDING)
    assert validation_blockers(everything_given) == [
        "l'analyse antivirus de vos derniers fichiers n'est pas terminée : actualisez la page dans une minute"]
    page = pieces_page(logged_in, everything_given)
    assert ANTIVIRUS in page
    assert reverse("documents:finalize", args=[everything_given.pk]) not in page  # no link, a disabled button
    with pytest.raises(RegistrationIncomplete, match=ANTIVIRUS):
        registration_finalize(registration=everything_given, at=OPEN)
    with time_machine.travel(OPEN, tick=False):
        confirm_page = html.unescape(logged_in.get(reverse("documents:finalize", args=[everything_given.pk])).content.decode())
    assert ANTIVIRUS in confirm_page and "Valider définitivement mon inscription" not in confirm_page


def test_missing_pieces_and_unfinished_steps_are_each_named(logged_in, candidate):
    registration = RegistrationFactory(candidate=candidate, language="")
    blockers = validation_blockers(registration)
    assert blockers[0].startswith("votre inscription n'est pas complète")
    assert blockers[1].startswith("il manque encore : ") and "Pièce d'identité" in blockers[1]
    page = pieces_page(logged_in, registration)
    for blocker in blockers:
        assert french(blocker) in page
