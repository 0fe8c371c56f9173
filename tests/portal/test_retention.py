import pytest
import time_machine
from django.core import mail

from candidates.models import User
from documents.models import PieceFile
from documents.pieces import piece_upload
from portal.retention import delete_expired_identity_documents, notify_and_delete_inactive_accounts
from tests.documents.files import pdf_bytes, upload
from tests.factories import RegistrationFactory, StaffFactory, UserFactory, paris
from tests.text import french

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_pieces(candidate, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                          "OPTIONS": {"location": str(tmp_path)}}}
    registration = RegistrationFactory(candidate=candidate)
    session = registration.session
    session.results_published_at = paris(2024, 7, 5, 10)
    session.save()
    for code in ("identity", "confirmation"):
        kind = session.requirements.get(piece_kind__code=code).piece_kind
        piece_upload(registration=registration, piece_kind=kind, uploads=[upload(f"{code}.pdf", pdf_bytes())], at=paris(2023, 11, 1))
    return registration


def test_identity_documents_are_kept_365_days_after_the_results_then_deleted(with_pieces, django_capture_on_commit_callbacks):
    assert delete_expired_identity_documents(at=paris(2025, 7, 5, 9)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert delete_expired_identity_documents(at=paris(2025, 7, 5, 11)) == 1
    assert list(PieceFile.objects.values_list("piece__piece_kind__code", flat=True)) == ["confirmation"]
    assert delete_expired_identity_documents(at=paris(2025, 7, 6)) == 0


def run_at(moment):
    with time_machine.travel(moment, tick=False):
        return notify_and_delete_inactive_accounts()


def test_an_idle_account_gets_a_notice_then_is_deleted_two_weeks_later(run_on_commit):
    user = UserFactory(email="ancien@exemple.fr", last_login=paris(2022, 1, 1))
    staff = StaffFactory(last_login=paris(2020, 1, 1))
    with run_on_commit():
        assert run_at(paris(2023, 12, 17, 12)) == (0, 0)  # 2 years minus 15 days
        assert run_at(paris(2023, 12, 18, 12)) == (1, 0)
        assert run_at(paris(2023, 12, 20, 12)) == (0, 0)  # the notice goes once
    assert mail.outbox[0].to == ["ancien@exemple.fr"] and french("sera supprimé le 1 janvier 2024") in mail.outbox[0].body
    assert run_at(paris(2023, 12, 31, 12)) == (0, 0)  # not two weeks after the notice yet
    assert run_at(paris(2024, 1, 1, 13)) == (0, 1)
    assert not User.objects.filter(pk=user.pk).exists()
    assert User.objects.filter(pk=staff.pk).exists()


def test_logging_in_after_the_notice_keeps_the_account(run_on_commit):
    user = UserFactory(last_login=paris(2022, 1, 1))
    with run_on_commit():
        run_at(paris(2023, 12, 18, 12))
    user.last_login = paris(2023, 12, 20)
    user.save()
    assert run_at(paris(2024, 1, 2)) == (0, 0)
    assert User.objects.filter(pk=user.pk).exists()
