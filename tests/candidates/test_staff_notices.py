"""Emails to the examination office go through the outbox: recorded, retried, sent once."""

from unittest import mock

import pytest
from django.core import mail
from django.core.cache import cache

from candidates.models import Message, MessageStatus, ProfileChange
from candidates.tasks import deliver_message, notify_staff_of_situation_change, requeue_pending_messages

pytestmark = pytest.mark.django_db


@pytest.fixture
def changed_after_lock(candidate, settings):
    settings.DEC_EMAIL = "dec@ac-normandie.fr"
    ProfileChange.objects.create(user=candidate, field="city", old_value="Caen", new_value="Rouen", after_lock=True)
    return candidate


def test_a_situation_change_notice_survives_an_smtp_failure_and_is_sent_once(changed_after_lock, run_on_commit):
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=OSError("SMTP down")), \
            run_on_commit():
        notify_staff_of_situation_change(changed_after_lock.pk)
    [notice] = Message.objects.filter(to_email="dec@ac-normandie.fr")
    assert notice.recipient is None
    assert notice.status in (MessageStatus.PENDING, MessageStatus.FAILED) and mail.outbox == []
    assert "Rouen" in notice.body_text

    Message.objects.filter(pk=notice.pk).update(status=MessageStatus.PENDING)
    deliver_message(notice.pk)  # the retry
    deliver_message(notice.pk)  # delivered twice: sent once
    assert [sent.to for sent in mail.outbox] == [["dec@ac-normandie.fr"]]
    assert "« Caen » → « Rouen »" in mail.outbox[0].body


def test_the_situation_change_task_run_twice_records_one_notice(changed_after_lock, run_on_commit):
    with run_on_commit():
        notify_staff_of_situation_change(changed_after_lock.pk)
        notify_staff_of_situation_change(changed_after_lock.pk)
    assert Message.objects.filter(to_email="dec@ac-normandie.fr").count() == 1
    assert len(mail.outbox) == 1
    assert not ProfileChange.objects.filter(staff_notified_at__isnull=True).exists()


def test_a_lost_notice_is_queued_again_by_the_outbox(changed_after_lock, settings):
    notify_staff_of_situation_change(changed_after_lock.pk)  # no commit: its delivery was never queued
    notice = Message.objects.get(to_email="dec@ac-normandie.fr")
    Message.objects.filter(pk=notice.pk).update(created_at=notice.created_at - __import__("datetime").timedelta(minutes=6))
    assert requeue_pending_messages() == 1
    assert len(mail.outbox) == 1


def test_the_unopened_convocations_report_is_recorded_and_sent_once_even_if_the_cache_is_flushed(settings, run_on_commit):
    from exams import after_registration
    from exams.models import Convocation, RegistrationStatus, Specialty
    from tests.exams.test_after_registration import schedule
    from tests.factories import RegistrationFactory, paris

    settings.DEC_EMAIL = "dec@ac-normandie.fr"
    bat = Specialty.objects.get(code="BAT")
    locked = RegistrationFactory(specialty=bat, status=RegistrationStatus.LOCKED)
    schedule(locked.session, bat, paris(2024, 5, 15, 8))
    Convocation.objects.create(registration=locked, published_at=paris(2024, 4, 1))
    with run_on_commit():
        assert after_registration.unopened_convocations_report(at=paris(2024, 5, 5, 9)) == 1
    cache.clear()
    with run_on_commit():
        assert after_registration.unopened_convocations_report(at=paris(2024, 5, 5, 10)) == 0
    [report] = Message.objects.filter(to_email="dec@ac-normandie.fr")
    assert report.status == MessageStatus.SENT and report.recipient is None
    assert len(mail.outbox) == 1 and locked.number in mail.outbox[0].body
