"""Liveness (`/sante/vivant/`) and readiness (`/sante/`, portal/health.py), and the health checks
of docker-compose.yml that use them.

Liveness answers without the database, the cache or the broker; readiness names the one that
does not answer. Each server is made unreachable for real: a closed port, or one that accepts
and never answers.
"""

import http.server
import os
import socket
import subprocess
import sys
import threading
import time

import pytest
import yaml
from django.db import OperationalError, connections

from portal import probe
from portal.celery import app
from tests.candidates.helpers import free_port
from tests.celery_workers import PROJECT, start_celery, stop, wait_for

pytestmark = pytest.mark.django_db

BIN = os.path.dirname(sys.executable)  # the project's celery, as the image has it on its PATH


@pytest.fixture
def database_down(monkeypatch):
    """Every connection to PostgreSQL is refused; `attempts` counts them."""
    attempts = []

    def refuse():
        attempts.append(1)
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")

    monkeypatch.setattr(connections["default"], "ensure_connection", refuse)
    return attempts


def redis_cache_at(url):
    return {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url,
                        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2}},
            "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def cache_down(settings):
    settings.CACHES = redis_cache_at(f"redis://127.0.0.1:{free_port()}/0")


@pytest.fixture
def broker_down(monkeypatch):
    monkeypatch.setitem(app.conf, "broker_url", f"redis://127.0.0.1:{free_port()}/0")


class SilentServer:
    """Accepts connections and never answers, as a Redis stuck on a full disk; counts the connections."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port, self.connections = self.listener.getsockname()[1], []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                self.connections.append(self.listener.accept()[0])
            except OSError:
                return

    def close(self):
        self.listener.close()
        for connection in self.connections:
            connection.close()


@pytest.fixture
def silent_server():
    server = SilentServer()
    yield server
    server.close()


def test_liveness_asks_nothing_of_the_database_the_cache_or_the_broker(client, database_down, settings, monkeypatch, silent_server):
    settings.CACHES = redis_cache_at(f"redis://127.0.0.1:{silent_server.port}/0")
    monkeypatch.setitem(app.conf, "broker_url", f"redis://127.0.0.1:{silent_server.port}/0")
    response = client.get("/sante/vivant/")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert database_down == [] and silent_server.connections == []


def test_liveness_answers_with_the_database_the_cache_and_the_broker_down(client, database_down, cache_down, broker_down):
    response = client.get("/sante/vivant/")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readiness_answers_200_when_the_database_the_cache_and_the_broker_answer(client, settings):
    if os.environ.get("REDIS_URL"):  # the real shared cache, as production has it (always in CI)
        settings.CACHES = redis_cache_at(os.environ["REDIS_URL"])
    response = client.get("/sante/")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readiness_names_the_database_when_it_is_down(client, database_down):
    response = client.get("/sante/")
    assert response.status_code == 503 and response.json() == {"status": "indisponible", "failed": ["database"]}


def test_readiness_names_the_cache_when_it_is_down(client, cache_down):
    response = client.get("/sante/")
    assert response.status_code == 503 and response.json() == {"status": "indisponible", "failed": ["cache"]}


def test_readiness_names_the_broker_when_it_is_down(client, broker_down):
    response = client.get("/sante/")
    assert response.status_code == 503 and response.json() == {"status": "indisponible", "failed": ["broker"]}


def test_a_broker_that_never_answers_is_judged_down_within_the_checks_timeout(client, monkeypatch, silent_server):
    monkeypatch.setitem(app.conf, "broker_url", f"redis://127.0.0.1:{silent_server.port}/0")
    started = time.monotonic()
    assert client.get("/sante/").json() == {"status": "indisponible", "failed": ["broker"]}
    assert time.monotonic() - started < 5


def test_the_filesystem_broker_of_make_run_answers_while_its_folder_is_writable(client, monkeypatch, tmp_path):
    monkeypatch.setitem(app.conf, "broker_url", "filesystem://")
    monkeypatch.setitem(app.conf, "broker_transport_options", {"data_folder_in": str(tmp_path)})
    assert client.get("/sante/").status_code == 200
    monkeypatch.setitem(app.conf, "broker_transport_options", {"data_folder_in": str(tmp_path / "effacé")})
    assert client.get("/sante/").json() == {"status": "indisponible", "failed": ["broker"]}


def test_with_the_cache_down_the_token_still_gets_the_details(client, settings, cache_down):
    settings.HEALTH_CHECK_TOKEN = token = "jeton-de-supervision-assez-long-pour-les-essais"
    response = client.get("/sante/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 503
    assert response.json() == {"status": "indisponible", "failed": ["cache"], "database": True, "cache": False, "broker": True,
                               "worker_alive": False, "antivirus": "off"}


def test_both_answers_are_exempt_from_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/sante/vivant/").status_code == 200
    assert client.get("/sante/").status_code == 200
    assert client.get("/accessibilite/").status_code == 301


# docker-compose.yml ----------------------------------------------------------------------------

def compose():
    return yaml.safe_load((PROJECT / "docker-compose.yml").read_text())


def test_the_web_containers_health_check_is_the_readiness_answer():
    assert compose()["services"]["web"]["healthcheck"]["test"] == ["CMD", "python", "-m", "portal.probe", "/sante/"]


def test_the_workers_health_check_pings_its_own_node():
    test = compose()["services"]["worker"]["healthcheck"]["test"]
    # $$ is compose's escape: the shell of the container reads $HOSTNAME, Celery's default node name.
    assert test == ["CMD-SHELL", "celery -A portal inspect ping --destination celery@$$HOSTNAME --timeout 10"]


# The probe (portal/probe.py) ------------------------------------------------------------------

class Gunicorn(http.server.ThreadingHTTPServer):
    """Stands for gunicorn: answers `status` and keeps each request's Host header."""

    def __init__(self, status):
        self.status, self.hosts = status, []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(handler):
                self.hosts.append((handler.path, handler.headers["Host"]))
                handler.send_response(self.status)
                handler.end_headers()

            def log_message(handler, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture
def gunicorn(monkeypatch):
    server = Gunicorn(200)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("GUNICORN_BIND", f"0.0.0.0:{server.server_address[1]}")
    yield server
    server.shutdown()
    server.server_close()


def test_the_probe_asks_for_the_public_name_django_accepts(gunicorn, monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "inscriptions-bts.ac-normandie.fr,autre.example")
    assert probe.probe("/sante/") == 0
    assert gunicorn.hosts == [("/sante/", "inscriptions-bts.ac-normandie.fr")]


def test_the_probe_fails_on_a_503_and_on_a_closed_port(gunicorn, monkeypatch):
    gunicorn.status = 503
    assert probe.probe("/sante/") == 1
    monkeypatch.setenv("GUNICORN_BIND", f"0.0.0.0:{free_port()}")
    assert probe.probe("/sante/") == 1


# The worker's check, run as the container runs it ----------------------------------------------

@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_workers_health_check_passes_for_its_node_and_fails_for_another(reference_data):
    if not os.environ.get("REDIS_URL"):
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run this test against Redis (.ci/run sets REDIS_URL)")
        pytest.skip(reason="`celery inspect` needs Redis as the broker: set REDIS_URL (CI does)")
    command = compose()["services"]["worker"]["healthcheck"]["test"][1].replace("$$", "$")
    worker = start_celery("worker", "--pool", "solo", "--hostname", "celery@conteneur-essai")
    try:
        assert wait_for(lambda: "ready" in "".join(worker.lines), 30), "".join(worker.lines)

        def check(hostname):
            return subprocess.run(command, shell=True, cwd=PROJECT, capture_output=True, timeout=60,
                                  env={**os.environ, "HOSTNAME": hostname, "ENV_FILE": "", "PATH": f"{BIN}:{os.environ['PATH']}"})

        assert check("conteneur-essai").returncode == 0
        assert check("un-autre-conteneur").returncode != 0
    finally:
        stop(worker)
