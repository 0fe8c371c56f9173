"""Each factory makes a row the models accept as it is: its defaults say what a test gets."""

import hashlib

import pytest

from tests import factories

pytestmark = pytest.mark.django_db

EVERY_FACTORY = [
    factories.UserFactory, factories.StaffFactory, factories.ExamSessionFactory, factories.SpecialtyFactory,
    factories.SpecialtyOptionFactory, factories.RegistrationFactory, factories.MessageFactory, factories.ProfileChangeFactory,
    factories.PieceKindFactory, factories.RequirementFactory, factories.PieceFactory, factories.PieceFileFactory,
    factories.GeneratedDocumentFactory, factories.EpreuveFactory, factories.ExamSlotFactory, factories.ConvocationFactory,
    factories.MarkFactory, factories.RattrapageChoiceFactory,
]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}


@pytest.mark.parametrize("factory", EVERY_FACTORY, ids=[f.__name__ for f in EVERY_FACTORY])
def test_the_row_a_factory_makes_passes_the_models_validation(factory):
    factory().full_clean()


def test_a_piece_file_holds_a_real_pdf_of_its_size_and_hash():
    piece_file = factories.PieceFileFactory()
    with piece_file.file.open("rb") as stored:
        content = stored.read()
    assert content.startswith(b"%PDF-") and len(content) == piece_file.size
    assert hashlib.sha256(content).hexdigest() == piece_file.sha256 == piece_file.sent_sha256
    assert piece_file.can_be_served


def test_a_mark_is_on_an_epreuve_of_the_registrations_specialty_and_an_absence_has_no_value():
    mark = factories.MarkFactory()
    assert mark.epreuve.specialty == mark.registration.specialty
    absence = factories.MarkFactory(registration=mark.registration, absent=True)
    assert absence.value is None


def test_the_rattrapage_choice_holds_the_epreuves_given():
    mark = factories.MarkFactory()
    choice = factories.RattrapageChoiceFactory(registration=mark.registration, epreuves=[mark.epreuve])
    assert list(choice.epreuves.all()) == [mark.epreuve]
