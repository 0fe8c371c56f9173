from pathlib import Path

import pytest

from documents.services import piece_upload
from tests.documents.files import pdf_bytes, upload
from tests.factories import RegistrationFactory


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Each test stores uploads in a folder of its own, so "nothing left behind" can be checked."""
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "media")}}}
    return tmp_path / "media"


def stored_files(media):
    return [p for p in Path(media).rglob("*") if p.is_file()] if Path(media).exists() else []


@pytest.fixture
def registration(candidate):
    return RegistrationFactory(candidate=candidate)


def give_every_piece(registration, at):
    from documents.requirements import required_pieces

    for required in required_pieces(registration):
        piece_upload(registration=registration, piece_kind=required.kind, uploads=[upload("piece.pdf", pdf_bytes())], at=at)
