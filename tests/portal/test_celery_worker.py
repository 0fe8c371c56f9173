"""A real Celery worker, in its own process, runs a task end to end.

The worker talks to the broker of the settings: Redis when REDIS_URL is set (always in CI),
otherwise the embedded filesystem broker. It reads and writes the test database.
"""

import os
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from portal.models import WorkerHeartbeat
from portal.tasks import record_worker_heartbeat
from tests.celery_workers import start_celery, stop, wait_for


@pytest.fixture
def worker():
    """Start `celery worker` on a queue of its own, so no other worker takes the test's task."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    name = f"{queue}@localhost"
    process = start_celery("worker", "--pool", "solo", "--queues", queue, "--hostname", name,
                           "--without-mingle", "--without-gossip")
    yield {"queue": queue, "name": name, "process": process}
    stop(process)



@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_task_end_to_end(worker):
    from portal.celery import app

    app.conf.task_always_eager = False
    record_worker_heartbeat.apply_async(queue=worker["queue"])

    ran = wait_for(lambda: WorkerHeartbeat.objects.filter(worker=worker["name"]).exists(), seconds=60)

    if not ran:
        pytest.fail(f"the worker did not run the task within 60 s:\n{stop(worker['process'])[-3000:]}")
    assert WorkerHeartbeat.objects.get(worker=worker["name"]).seen_at is not None


@pytest.mark.worker
def test_ci_runs_the_worker_against_redis():
    """In CI (CI=true) REDIS_URL must be set, so the test above proves the Redis path."""
    if os.environ.get("CI") != "true":
        pytest.skip(reason="only meaningful in CI, where .ci/run sets REDIS_URL")
    assert settings.CELERY_BROKER_URL.startswith("redis://")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_beat_and_a_real_worker_purge_an_expired_account():
    """The schedule itself, run by celery beat, reaches a worker that deletes the account.

    PURGE_INTERVAL_SECONDS shortens the 15-minute schedule so the test need not wait.
    """
    from django_celery_beat.models import PeriodicTask

    from candidates.models import User
    from tests.factories import UserFactory

    PeriodicTask.objects.all().delete()  # beat rebuilds its rows from the settings' schedule
    expired = UserFactory(is_active=False, activated_at=None, date_joined=timezone.now() - timedelta(hours=48, minutes=1))
    recent = UserFactory(is_active=False, activated_at=None, date_joined=timezone.now() - timedelta(hours=47, minutes=59))
    env = {"PURGE_INTERVAL_SECONDS": "1"}
    worker = start_celery("worker", "--pool", "solo", "--hostname", f"purge-{uuid.uuid4().hex[:6]}@localhost",
                          "--without-mingle", "--without-gossip", **env)
    beat = start_celery("beat", "--pidfile=", "--schedule", "/dev/null", **env)
    try:
        purged = wait_for(lambda: not User.objects.filter(pk=expired.pk).exists(), seconds=90)
    finally:
        beat_output, worker_output = stop(beat), stop(worker)
    if not purged:
        pytest.fail(f"no purge within 90 s.\nbeat:\n{beat_output[-2000:]}\nworker:\n{worker_output[-2000:]}")
    assert User.objects.filter(pk=recent.pk).exists()
