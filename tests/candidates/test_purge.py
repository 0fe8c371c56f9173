import logging

import pytest
import time_machine
from django.core.management import call_command

from candidates.models import Message, ProfileChange, User
from candidates.services import purge_unactivated_accounts
from tests.factories import MessageFactory, ProfileChangeFactory, StaffFactory, UserFactory, paris

pytestmark = pytest.mark.django_db

JOINED = paris(2023, 10, 18, 14, 5)


def never_activated(**fields):
    return UserFactory(is_active=False, activated_at=None, date_joined=JOINED, **fields)


def test_a_purge_at_47_h_59_keeps_the_account():
    user = never_activated()
    assert purge_unactivated_accounts(at=paris(2023, 10, 20, 14, 4)) == 0
    assert User.objects.filter(pk=user.pk).exists()


def test_a_purge_at_48_h_01_deletes_it():
    user = never_activated()
    assert purge_unactivated_accounts(at=paris(2023, 10, 20, 14, 6)) == 1
    assert not User.objects.filter(pk=user.pk).exists()


def test_it_deletes_everything_attached_to_the_account():
    user = never_activated()
    MessageFactory(recipient=user)
    ProfileChangeFactory(user=user, field="city", old_value="", new_value="Caen")
    purge_unactivated_accounts(at=paris(2023, 11, 1))
    assert not Message.objects.exists()
    assert not ProfileChange.objects.exists()


def test_it_never_touches_activated_staff_or_superuser_accounts():
    keep = [
        UserFactory(date_joined=JOINED),  # activated
        UserFactory(is_active=False, date_joined=JOINED),  # activated once, then deactivated by staff
        StaffFactory(is_active=False, activated_at=None, date_joined=JOINED),
        UserFactory(is_active=False, activated_at=None, is_superuser=True, date_joined=JOINED),
    ]
    purge_unactivated_accounts(at=paris(2024, 1, 1))
    assert User.objects.filter(pk__in=[u.pk for u in keep]).count() == 4


def test_it_works_in_batches_and_a_second_run_deletes_nothing_more():
    expired = [never_activated() for _ in range(5)]
    recent = UserFactory(is_active=False, activated_at=None, date_joined=paris(2023, 10, 31, 23))
    assert purge_unactivated_accounts(at=paris(2023, 11, 1), batch_size=2) == 5
    assert purge_unactivated_accounts(at=paris(2023, 11, 1), batch_size=2) == 0
    assert list(User.objects.values_list("pk", flat=True)) == [recent.pk]
    assert len(expired) == 5


def test_it_logs_the_count(caplog):
    never_activated()
    with caplog.at_level(logging.INFO, logger="candidates.services"):
        purge_unactivated_accounts(at=paris(2023, 11, 1))
    assert "1 account(s) deleted" in caplog.text


def test_the_command_prints_how_many_it_deleted(capsys):
    never_activated()
    never_activated()
    with time_machine.travel(paris(2023, 11, 1), tick=False):
        call_command("purge_unactivated_accounts")
    assert "2 compte(s) non activé(s) supprimé(s)." in capsys.readouterr().out


def test_after_a_purge_the_same_email_can_sign_up_again():
    never_activated(email="camille@exemple.fr")
    purge_unactivated_accounts(at=paris(2023, 11, 1))
    assert User.objects.create_user("Camille@exemple.fr", "une phrase de passe solide").pk


def test_beat_runs_the_purge_every_15_minutes():
    from portal.celery import app

    entry = app.conf.beat_schedule["purge-unactivated-accounts"]
    assert entry["task"] == "candidates.tasks.purge_unactivated_accounts_task"
    assert entry["schedule"] == 15 * 60


def test_the_task_calls_the_same_purge():
    never_activated()
    from candidates.tasks import purge_unactivated_accounts_task

    with time_machine.travel(paris(2023, 11, 1), tick=False):
        assert purge_unactivated_accounts_task.delay().get() == 1
