import io
import json
import zipfile

import pytest
from django.urls import reverse

from documents.pieces import piece_upload
from tests.documents.files import pdf_bytes, upload
from tests.factories import MessageFactory, RegistrationFactory, paris

pytestmark = pytest.mark.django_db


def test_a_candidate_downloads_everything_held_about_them(client, candidate, other_candidate, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                          "OPTIONS": {"location": str(tmp_path)}}}
    registration = RegistrationFactory(candidate=candidate)
    kind = registration.session.requirements.get(piece_kind__code="identity").piece_kind
    piece_upload(registration=registration, piece_kind=kind, uploads=[upload("carte.pdf", pdf_bytes())], at=paris(2023, 11, 1))
    MessageFactory(recipient=candidate, subject="Bienvenue")
    MessageFactory(recipient=other_candidate, subject="Autre")
    client.force_login(candidate)
    response = client.get(reverse("my-data") + "?telecharger=zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    data = json.loads(archive.read("donnees.json"))
    assert data["compte"]["email"] == candidate.email
    assert [m["subject"] for m in data["messages"]] == ["Bienvenue"]
    assert data["inscriptions"][0]["number"] == registration.number
    assert data["inscriptions"][0]["pieces"][0]["fichier"] == "carte.pdf"
    assert any(name.endswith("-carte.pdf") for name in archive.namelist())


def test_the_page_needs_a_login(client):
    assert client.get(reverse("my-data")).status_code == 302


def test_marks_are_in_the_archive_only_once_the_session_publishes_them(client, candidate):
    from decimal import Decimal

    import time_machine

    from tests.factories import MarkFactory

    registration = RegistrationFactory(candidate=candidate, status="locked")
    MarkFactory(registration=registration, value=Decimal("13.5"))
    registration.session.results_published_at = paris(2024, 7, 12, 10)
    registration.session.save()
    client.force_login(candidate)

    def archived(at):
        with time_machine.travel(at, tick=False):
            response = client.get(reverse("my-data") + "?telecharger=zip")
            return json.loads(zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).read("donnees.json"))

    before = archived(paris(2024, 7, 12, 9, 59))["inscriptions"][0]
    assert before["notes"] == "communiquées à la publication des résultats de la session" and "13.5" not in json.dumps(before)
    after = archived(paris(2024, 7, 12, 10))["inscriptions"][0]
    assert [(n["value"], n["dispensed"], n["carried_over"]) for n in after["notes"]] == [("13.50", False, False)]
