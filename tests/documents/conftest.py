import pytest

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
