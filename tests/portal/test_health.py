import socketserver
import threading
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from portal.models import WorkerHeartbeat
from portal.tasks import record_worker_heartbeat
from tests.portal.helpers import log_in_with_second_factor

pytestmark = pytest.mark.django_db

TOKEN = "jeton-de-supervision-assez-long-pour-les-essais"


@pytest.fixture
def staff_health(client, staff):
    log_in_with_second_factor(client, staff)
    return lambda: client.get("/sante/").json()


def test_an_anonymous_caller_learns_only_that_the_portal_is_up(client):
    WorkerHeartbeat.record("celery@web1", at=timezone.now())
    response = client.get("/sante/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_when_the_database_is_down_an_anonymous_caller_learns_only_which_server_failed(client, monkeypatch):
    monkeypatch.setattr("portal.health.database_answers", lambda: False)
    response = client.get("/sante/")
    assert response.status_code == 503 and response.json() == {"status": "indisponible", "failed": ["database"]}


def test_with_the_token_the_details_say_the_database_is_down(client, settings, monkeypatch):
    settings.HEALTH_CHECK_TOKEN = TOKEN
    monkeypatch.setattr("portal.health.database_answers", lambda: False)
    response = client.get("/sante/", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 503
    assert response.json() == {"status": "indisponible", "failed": ["database"], "database": False, "cache": True, "broker": True,
                               "worker_alive": False, "antivirus": "off"}


def test_staff_with_their_second_factor_get_the_details(staff_health):
    assert staff_health() == {"status": "ok", "database": True, "cache": True, "broker": True, "worker_alive": False, "antivirus": "off"}


def test_staff_without_their_second_factor_get_no_details(client, staff):
    client.force_login(staff)
    assert client.get("/sante/").json() == {"status": "ok"}


def test_a_logged_in_candidate_gets_no_details(client, candidate):
    client.force_login(candidate)
    assert client.get("/sante/").json() == {"status": "ok"}


def test_a_monitoring_tool_with_the_configured_token_gets_the_details(client, settings):
    settings.HEALTH_CHECK_TOKEN = TOKEN
    assert client.get("/sante/", headers={"Authorization": f"Bearer {TOKEN}"}).json()["worker_alive"] is False
    assert client.get("/sante/", headers={"Authorization": "Bearer mauvais-jeton"}).json() == {"status": "ok"}


def test_without_a_configured_token_no_token_gives_the_details(client, settings):
    settings.HEALTH_CHECK_TOKEN = ""
    assert client.get("/sante/", headers={"Authorization": "Bearer "}).json() == {"status": "ok"}


def test_health_sees_a_worker_that_beat_in_the_last_three_minutes(staff_health):
    WorkerHeartbeat.record("celery@web1", at=timezone.now() - timedelta(minutes=2))
    assert staff_health()["worker_alive"] is True


def test_health_forgets_a_worker_silent_for_more_than_three_minutes(staff_health):
    WorkerHeartbeat.record("celery@web1", at=timezone.now() - timedelta(minutes=3, seconds=1))
    assert staff_health()["worker_alive"] is False


class FakeClamd(socketserver.ThreadingTCPServer):
    """Answers PONG to clamd's PING and counts them."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self):
        self.pings = 0

        class Handler(socketserver.StreamRequestHandler):
            def handle(handler):
                if handler.rfile.readline().strip() in (b"nPING", b"PING"):
                    self.pings += 1
                    handler.wfile.write(b"PONG\n")

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture
def fake_clamd(settings):
    server = FakeClamd()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CLAMD_URL = f"tcp://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


def test_health_pings_clamd_at_most_once_a_minute(staff_health, fake_clamd):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert [staff_health()["antivirus"] for _ in range(5)] == ["ok"] * 5
    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        assert staff_health()["antivirus"] == "ok"
    assert fake_clamd.pings == 1
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        assert staff_health()["antivirus"] == "ok"
    assert fake_clamd.pings == 2


def test_an_anonymous_health_check_never_pings_clamd(client, fake_clamd):
    for _ in range(3):
        assert client.get("/sante/").status_code == 200
    assert fake_clamd.pings == 0


def test_the_heartbeat_task_can_run_twice_and_keeps_one_row_per_worker():
    record_worker_heartbeat.delay()
    record_worker_heartbeat.delay()
    assert WorkerHeartbeat.objects.count() == 1


def test_the_heartbeat_is_in_the_beat_schedule():
    from portal.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "portal.tasks.record_worker_heartbeat" in tasks
