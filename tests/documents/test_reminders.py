"""Deadline reminders (documents/reminders.py): seven and two days before the deadline
(15 November 17:00), each once, listing what is missing; never 8 days before."""

import pytest
from django.core import mail

from candidates.models import Message
from documents.locking import registration_finalize
from documents.reminders import send_deadline_reminders
from tests.documents.helpers import OPEN
from tests.factories import paris

pytestmark = pytest.mark.django_db



def test_seven_and_two_days_before_each_goes_once_listing_what_is_missing(registration, run_on_commit):
    with run_on_commit():
        send_deadline_reminders(at=paris(2023, 11, 8, 18))
        send_deadline_reminders(at=paris(2023, 11, 9, 18))
        send_deadline_reminders(at=paris(2023, 11, 13, 18))
        send_deadline_reminders(at=paris(2023, 11, 14, 18))
    assert len(mail.outbox) == 2
    assert "Pièce d'identité" in mail.outbox[0].body


def test_a_late_run_sends_only_the_nearest_reminder(registration, run_on_commit):
    with run_on_commit():
        send_deadline_reminders(at=paris(2023, 11, 14, 18))
    assert len(mail.outbox) == 1
    assert Message.objects.get().event_key.endswith(":2d")


def test_a_complete_registration_gets_no_reminder(complete, run_on_commit):
    with run_on_commit():
        send_deadline_reminders(at=paris(2023, 11, 10, 18))
    assert mail.outbox == []


def test_a_locked_registration_gets_no_reminder(complete, run_on_commit):
    registration_finalize(registration=complete, at=OPEN)
    mail.outbox.clear()
    with run_on_commit():
        send_deadline_reminders(at=paris(2023, 11, 10, 18))
    assert mail.outbox == []


def test_beat_runs_closing_and_reminders():
    from portal.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {"documents.tasks.close_registrations_task", "documents.tasks.send_deadline_reminders_task"} <= tasks


@pytest.mark.parametrize("at", [paris(2023, 11, 7, 17), paris(2023, 11, 8, 16, 59, 59)], ids=["8 days", "7 days and a second"])
def test_no_deadline_reminder_is_sent_8_days_before(registration, run_on_commit, at):
    with run_on_commit():
        assert send_deadline_reminders(at=at) == 0
    assert mail.outbox == [] and not Message.objects.exists()


def test_the_7_day_reminder_is_sent_at_exactly_7_days(registration, run_on_commit):
    with run_on_commit():
        assert send_deadline_reminders(at=paris(2023, 11, 8, 17)) == 1
    assert Message.objects.get().event_key.endswith(":7d")
