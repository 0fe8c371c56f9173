from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import WorkerHeartbeat
from portal.tasks import record_worker_heartbeat

pytestmark = pytest.mark.django_db


def test_health_says_the_database_answers_and_no_worker_is_seen(client):
    response = client.get("/sante/")
    assert response.status_code == 200
    assert response.json() == {"database": True, "worker_alive": False, "antivirus": "off"}


def test_health_sees_a_worker_that_beat_in_the_last_three_minutes(client):
    WorkerHeartbeat.record("celery@web1", at=timezone.now() - timedelta(minutes=2))
    assert client.get("/sante/").json()["worker_alive"] is True


def test_health_forgets_a_worker_silent_for_more_than_three_minutes(client):
    WorkerHeartbeat.record("celery@web1", at=timezone.now() - timedelta(minutes=3, seconds=1))
    assert client.get("/sante/").json()["worker_alive"] is False


def test_the_heartbeat_task_can_run_twice_and_keeps_one_row_per_worker():
    record_worker_heartbeat.delay()
    record_worker_heartbeat.delay()
    assert WorkerHeartbeat.objects.count() == 1


def test_the_heartbeat_is_in_the_beat_schedule():
    from portal.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "portal.tasks.record_worker_heartbeat" in tasks
