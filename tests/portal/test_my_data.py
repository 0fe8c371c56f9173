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
