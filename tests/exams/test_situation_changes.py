"""A change of situation reaches the rectorate only once a registration is locked (the notice, H):
candidates sends `situation_changed`, exams decides (exams/situation_changes.py), and the notice
to the examination office goes through the outbox: recorded, retried, sent once."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail

from candidates.models import Message, MessageStatus, ProfileChange
from candidates.services import account_update_situation
from candidates.tasks import deliver_message, requeue_pending_messages
from exams.models import RegistrationStatus
from exams.tasks import notify_staff_of_situation_change
from tests.factories import ProfileChangeFactory, RegistrationFactory
from tests.text import french

pytestmark = pytest.mark.django_db


@pytest.fixture
def changed_after_lock(candidate, settings):
    settings.DEC_EMAIL = "dec@ac-normandie.fr"
    ProfileChangeFactory(user=candidate, field="city", old_value="Caen", new_value="Rouen", after_lock=True)
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
    assert french("« Caen » → « Rouen »") in mail.outbox[0].body


def test_the_situation_change_task_run_twice_records_one_notice(changed_after_lock, run_on_commit):
    with run_on_commit():
        notify_staff_of_situation_change(changed_after_lock.pk)
        notify_staff_of_situation_change(changed_after_lock.pk)
    assert Message.objects.filter(to_email="dec@ac-normandie.fr").count() == 1
    assert len(mail.outbox) == 1
    assert not ProfileChange.objects.filter(staff_notified_at__isnull=True).exists()


def test_a_lost_notice_is_queued_again_by_the_outbox(changed_after_lock):
    notify_staff_of_situation_change(changed_after_lock.pk)  # no commit: its delivery was never queued
    notice = Message.objects.get(to_email="dec@ac-normandie.fr")
    Message.objects.filter(pk=notice.pk).update(created_at=notice.created_at - timedelta(minutes=6))
    assert requeue_pending_messages() == 1
    assert len(mail.outbox) == 1


@pytest.fixture
def dec_mailbox(settings):
    settings.DEC_EMAIL = "dec@ac-normandie.fr"


def dec_emails():
    return [m for m in mail.outbox if m.to == ["dec@ac-normandie.fr"]]


def test_a_change_while_the_registration_is_a_draft_is_not_flagged_nor_sent(candidate, dec_mailbox, run_on_commit):
    RegistrationFactory(candidate=candidate)
    with run_on_commit():
        [change] = account_update_situation(user=candidate, changed_by=candidate, city="Rouen")
    change.refresh_from_db()
    assert change.after_lock is False and change.staff_notified_at is None
    assert dec_emails() == []


def test_a_change_after_the_lock_is_flagged_and_the_dec_told_once(candidate, dec_mailbox, run_on_commit):
    registration = RegistrationFactory(candidate=candidate, status=RegistrationStatus.LOCKED)
    with run_on_commit():
        [change] = account_update_situation(user=candidate, changed_by=candidate, city="Rouen")
    change.refresh_from_db()
    assert change.after_lock is True and change.staff_notified_at is not None
    [notice] = dec_emails()
    assert registration.number in notice.body and "Rouen" in notice.body


def test_a_cancelled_registration_does_not_count_as_locked(candidate, dec_mailbox, run_on_commit):
    RegistrationFactory(candidate=candidate, status=RegistrationStatus.CANCELLED)
    with run_on_commit():
        [change] = account_update_situation(user=candidate, changed_by=candidate, city="Rouen")
    change.refresh_from_db()
    assert change.after_lock is False and dec_emails() == []
