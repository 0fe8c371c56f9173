"""A real Celery worker, in its own process, runs a task end to end.

The worker talks to the broker of the settings: Redis when REDIS_URL is set (always in CI),
otherwise the embedded filesystem broker. It reads and writes the test database.
"""

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from portal.models import WorkerHeartbeat
from portal.tasks import record_worker_heartbeat

PROJECT = Path(__file__).resolve().parents[2]


def database_url_of_the_test_database():
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker():
    """Start `celery worker` on a queue of its own, so no other worker takes the test's task."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    name = f"{queue}@localhost"
    env = {**os.environ, "DATABASE_URL": database_url_of_the_test_database(), "ENV_FILE": ""}
    celery = shutil.which("celery", path=str(Path(sys.executable).parent))
    process = subprocess.Popen(
        [celery, "-A", "portal", "worker", "--pool", "solo", "--queues", queue, "--hostname", name,
         "--without-mingle", "--without-gossip", "--loglevel", "INFO"],
        cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    yield {"queue": queue, "name": name, "process": process}
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_runs_a_task_end_to_end(worker):
    from portal.celery import app

    app.conf.task_always_eager = False
    record_worker_heartbeat.apply_async(queue=worker["queue"])

    ran = wait_for(lambda: WorkerHeartbeat.objects.filter(worker=worker["name"]).exists(), seconds=60)

    if not ran:
        worker["process"].terminate()
        output = worker["process"].communicate(timeout=20)[0]
        pytest.fail(f"the worker did not run the task within 60 s:\n{output[-3000:]}")
    assert WorkerHeartbeat.objects.get(worker=worker["name"]).seen_at is not None


@pytest.mark.worker
def test_ci_runs_the_worker_against_redis():
    """In CI (CI=true) REDIS_URL must be set, so the test above proves the Redis path."""
    if os.environ.get("CI") != "true":
        pytest.skip("only meaningful in CI, where .ci/run sets REDIS_URL")
    assert settings.CELERY_BROKER_URL.startswith("redis://")
