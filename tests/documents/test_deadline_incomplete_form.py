"""The deadline job: a draft whose form is unfinished is cancelled, even with every piece given."""

import pytest
from django.core import mail

from documents.services import close_registrations, missing_pieces
from exams.models import Registration
from exams.rules import registration_errors
from tests.documents.conftest import give_every_piece
from tests.factories import paris

pytestmark = pytest.mark.django_db

OPEN = paris(2023, 11, 1, 10)
AFTER_DEADLINE = paris(2023, 11, 15, 17, 16)  # and its 15 minutes of grace


@pytest.fixture
def unfinished_form_every_piece(registration):
    give_every_piece(registration, OPEN)
    Registration.objects.filter(pk=registration.pk).update(language="")  # the language step never answered
    registration.refresh_from_db()
    assert missing_pieces(registration) == [] and "language" in registration_errors(registration)
    return registration


def test_the_deadline_job_cancels_a_draft_whose_form_is_incomplete_even_with_all_its_pieces(unfinished_form_every_piece,
                                                                                          run_on_commit):
    with run_on_commit():
        assert close_registrations(at=AFTER_DEADLINE) == (0, 1)
    unfinished_form_every_piece.refresh_from_db()
    assert unfinished_form_every_piece.status == "cancelled" and unfinished_form_every_piece.locked_at is None
    [sent] = [m for m in mail.outbox if "annulée" in m.subject]
    assert "Le formulaire d'inscription n'avait pas été terminé." in sent.body
