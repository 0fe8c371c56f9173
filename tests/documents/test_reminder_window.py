"""The D-7 reminder: sent from 7 days before the deadline (15 November 17:00), never at 8."""

import pytest
from django.core import mail

from candidates.models import Message
from documents.services import send_deadline_reminders
from tests.factories import paris

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("at", [paris(2023, 11, 7, 17), paris(2023, 11, 8, 16, 59, 59)], ids=["8 days", "7 days and a second"])
def test_no_deadline_reminder_is_sent_8_days_before(registration, run_on_commit, at):
    with run_on_commit():
        assert send_deadline_reminders(at=at) == 0
    assert mail.outbox == [] and not Message.objects.exists()


def test_the_7_day_reminder_is_sent_at_exactly_7_days(registration, run_on_commit):
    with run_on_commit():
        assert send_deadline_reminders(at=paris(2023, 11, 8, 17)) == 1
    assert Message.objects.get().event_key.endswith(":7d")
