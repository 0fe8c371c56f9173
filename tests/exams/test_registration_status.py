"""A registration's status groups and guarded transitions live on the model: a draft is the only
state its candidate may change, and it ends once, locked or cancelled."""

import threading

import pytest
from django.db import connection

from exams.models import Registration, RegistrationStatus
from tests.factories import RegistrationFactory, paris

pytestmark = pytest.mark.django_db
AT = paris(2023, 11, 10, 9)


def fresh(registration):
    return Registration.objects.get(pk=registration.pk)


def test_a_draft_is_writable_until_17_00_paris_time_and_not_at_17_01():
    draft = RegistrationFactory()
    assert draft.is_editable and not draft.is_locked and not draft.is_cancelled
    assert draft.is_writable(paris(2023, 11, 15, 17, 0))
    assert not draft.is_writable(paris(2023, 11, 15, 17, 1))
    assert not draft.is_writable(paris(2023, 10, 18, 11, 59))  # before the window opens


def test_locking_a_draft_happens_once():
    draft = RegistrationFactory()
    assert draft.lock(AT) is True
    assert draft.is_locked and draft.locked_at == AT
    again = fresh(draft)
    assert again.lock(paris(2023, 11, 11)) is False
    assert fresh(draft).locked_at == AT  # the first lock's moment stays


def test_a_locked_registration_is_never_cancelled_nor_writable():
    locked = RegistrationFactory(status=RegistrationStatus.LOCKED, locked_at=AT)
    assert locked.cancel(paris(2023, 11, 15, 17, 15)) is False
    assert fresh(locked).status == RegistrationStatus.LOCKED and fresh(locked).cancelled_at is None
    assert not locked.is_writable(AT)


def test_a_cancelled_registration_is_never_locked():
    draft = RegistrationFactory()
    assert draft.cancel(paris(2023, 11, 15, 17, 15)) is True
    assert fresh(draft).is_cancelled
    assert fresh(draft).lock(paris(2023, 11, 15, 17, 16)) is False
    assert fresh(draft).locked_at is None


def test_the_groups_cover_every_status_once():
    assert set(Registration.EDITABLE) | set(Registration.ENDED) == set(RegistrationStatus.values)
    assert not set(Registration.EDITABLE) & set(Registration.ENDED)
    assert list(Registration.objects.drafts().values_list("status", flat=True).distinct()) in ([], ["draft"])


@pytest.mark.django_db(transaction=True)
def test_a_lock_and_a_cancel_at_once_end_the_draft_once(reference_data):
    draft = RegistrationFactory()
    barrier, outcomes = threading.Barrier(2), {}

    def end(name):
        try:
            barrier.wait()
            row = fresh(draft)
            outcomes[name] = row.lock(AT) if name == "lock" else row.cancel(AT)
        finally:
            connection.close()

    threads = [threading.Thread(target=end, args=(name,)) for name in ("lock", "cancel")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == [False, True]
    ended = fresh(draft)
    assert ended.status == ("locked" if outcomes["lock"] else "cancelled")
    assert (ended.locked_at is None) != (ended.cancelled_at is None)
