"""The professional dossier has an upload window of its own, set on the session, open even after
the lock; a specialty whose dossier goes elsewhere has no such upload."""

import pytest
import time_machine
from django.urls import reverse

from documents.locking import registration_finalize
from documents.models import PieceFile
from exams.models import Specialty
from tests.documents.files import pdf_bytes, upload
from tests.documents.helpers import give_every_piece
from tests.factories import RegistrationFactory, paris
from tests.text import french

pytestmark = pytest.mark.django_db


@pytest.fixture
def sam(candidate):
    registration = RegistrationFactory(candidate=candidate, specialty=Specialty.objects.get(code="SAM"))
    give_every_piece(registration, paris(2023, 11, 1))
    registration_finalize(registration=registration, at=paris(2023, 11, 1))
    session = registration.session
    session.dossier_uploads_open_at, session.dossier_uploads_close_at = paris(2024, 3, 1, 9), paris(2024, 3, 31, 17)
    session.save()
    return registration


def send(client, registration, when):
    with time_machine.travel(when, tick=False):
        return client.post(reverse("documents:upload", args=[registration.pk, "professional-dossier"]),
                           {"files": [upload("dossier.pdf", pdf_bytes(pages=4))]})


def test_the_dossier_is_uploaded_in_its_own_window_even_after_the_lock(client, candidate, sam):
    client.force_login(candidate)
    assert send(client, sam, paris(2024, 3, 10)).status_code == 302
    assert PieceFile.objects.filter(piece__piece_kind__code="professional-dossier").count() == 1


@pytest.mark.parametrize("when", [paris(2024, 2, 29, 23, 59), paris(2024, 3, 31, 17, 1)])
def test_outside_its_window_it_is_refused(client, candidate, sam, when):
    client.force_login(candidate)
    assert send(client, sam, when).status_code == 403


def test_a_specialty_that_sends_its_dossier_elsewhere_has_no_such_upload(client, candidate):
    registration = RegistrationFactory(candidate=candidate)
    client.force_login(candidate)
    assert send(client, registration, paris(2024, 3, 10)).status_code == 404


def test_the_page_shows_the_dossier_dates(client, candidate, sam):
    client.force_login(candidate)
    with time_machine.travel(paris(2024, 3, 10), tick=False):
        page = client.get(reverse("documents:pieces", args=[sam.pk])).content.decode()
    assert "Dossier professionnel" in page and french("1 mars 2024 à 09h00") in page
