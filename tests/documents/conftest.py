import pytest

from tests.documents.helpers import OPEN, give_every_piece
from tests.factories import RegistrationFactory


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Each test stores uploads in a folder of its own, so "nothing left behind" can be checked."""
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "media")}}}
    return tmp_path / "media"


@pytest.fixture
def registration(candidate):
    return RegistrationFactory(candidate=candidate)


@pytest.fixture
def complete(registration):
    """The registration with a file for every piece it requires, given while the window is open."""
    give_every_piece(registration, OPEN)
    return registration
