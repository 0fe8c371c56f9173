"""The 48 hours of the notice, at their exact end: the link still works, the purge still waits."""

import html
from datetime import timedelta

import pytest
import time_machine

from candidates.models import User
from candidates.services import purge_unactivated_accounts
from candidates.tokens import activation_link
from tests.candidates.helpers import path_of
from tests.factories import UserFactory, paris

pytestmark = pytest.mark.django_db

JOINED = paris(2023, 10, 18, 14, 5)
DEADLINE = JOINED + timedelta(hours=48)
JUST_AFTER = DEADLINE + timedelta(microseconds=1)


@pytest.fixture
def new_account():
    return UserFactory(email="camille.martin@exemple.fr", is_active=False, activated_at=None, date_joined=JOINED)


def follow(client, user, at):
    link = activation_link(user)
    with time_machine.travel(at, tick=False):
        response = client.get(path_of(link), follow=True)
    user.refresh_from_db()
    return html.unescape(response.content.decode())


def test_activation_at_exactly_48_hours_is_accepted(client, new_account):
    follow(client, new_account, DEADLINE)
    assert new_account.is_active and new_account.activated_at == DEADLINE


def test_activation_just_after_48_hours_is_refused(client, new_account):
    page = follow(client, new_account, JUST_AFTER)
    assert not new_account.is_active and "Le délai de 48 heures est dépassé" in page


def test_the_purge_at_exactly_48_hours_keeps_the_account(new_account):
    assert purge_unactivated_accounts(at=DEADLINE) == 0
    assert User.objects.filter(pk=new_account.pk).exists()


def test_the_purge_just_after_48_hours_deletes_the_account(new_account):
    assert purge_unactivated_accounts(at=JUST_AFTER) == 1
    assert not User.objects.filter(pk=new_account.pk).exists()
