"""/metriques/, for Prometheus only (portal/metrics.py; README, « Métriques (Prometheus) »).

Its protection, then what it says: the portal's gauges read from the database, django-prometheus'
per-view counters, the uploads and failed-task counters; then the production web server with two
workers, whose one scrape counts the requests of both, and the Celery worker's own port.
"""

import http.client
import json
import os
import re
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from documents.models import PieceKind, ScanStatus
from documents.pieces import piece_upload
from exams.models import RegistrationStatus
from portal.metrics import PortalCollector
from portal.tasks import record_worker_heartbeat
from tests.candidates.helpers import free_port
from tests.celery_workers import PROJECT, database_url_of_the_test_database, start_celery, stop, wait_for
from tests.documents.files import pdf_bytes, upload
from tests.documents.helpers import OPEN
from tests.factories import ExamSessionFactory, MessageFactory, PieceFileFactory, RegistrationFactory, paris
from tests.portal.test_gunicorn_logging import dockerfile_gunicorn_command

pytestmark = pytest.mark.django_db

TOKEN = "jeton-prometheus-assez-long-pour-les-essais"
NOW = paris(2027, 5, 10, 16)


@pytest.fixture
def scrape(client, settings):
    """What Prometheus reads: {(sample name, labels as a sorted tuple): value}."""
    settings.METRICS_TOKEN = TOKEN

    def read():
        response = client.get(reverse("metrics"), headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 200
        return samples(response.content.decode())
    return read


def samples(text):
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def value(scraped, name, **labels):
    return scraped.get((name, tuple(sorted(labels.items()))), 0.0)


# Protection ------------------------------------------------------------------------------------

def test_without_a_token_configured_there_is_no_such_page(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metriques/", headers={"Authorization": "Bearer "}).status_code == 404
    assert client.get("/metriques/").status_code == 404


def test_without_the_token_or_with_a_wrong_one_the_metrics_are_refused(client, settings):
    settings.METRICS_TOKEN = TOKEN
    for headers in ({}, {"Authorization": "Bearer autre-jeton"}, {"Authorization": TOKEN},
                    {"Authorization": f"Basic {TOKEN}"}, {"Authorization": f"Bearer {TOKEN}x"}):
        response = client.get("/metriques/", headers=headers)
        assert response.status_code == 401, headers
        assert b"bts_portal" not in response.content


def test_with_the_token_prometheus_gets_the_metrics_as_text_never_cached(client, settings):
    settings.METRICS_TOKEN = TOKEN
    response = client.get("/metriques/", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "no-store" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
    assert b"# TYPE bts_portal_registrations gauge" in response.content


def test_prometheus_may_scrape_over_plain_http_from_inside(settings):
    assert any(re.match(pattern, "metriques/") for pattern in settings.SECURE_REDIRECT_EXEMPT)


# The portal's gauges ---------------------------------------------------------------------------

@pytest.fixture
def evening():
    """Two drafts and a locked registration, a file waiting 10 minutes for its scan (and a
    clean one), an email waiting 3 minutes (and a sent one), two sessions closing ahead."""
    drafts = [RegistrationFactory(), RegistrationFactory()]
    RegistrationFactory(status=RegistrationStatus.LOCKED, locked_at=NOW - timedelta(days=1))
    PieceFileFactory(piece__registration=drafts[0], scan_status=ScanStatus.PENDING, uploaded_at=NOW - timedelta(minutes=10))
    PieceFileFactory(piece__registration=drafts[0], scan_status=ScanStatus.CLEAN, uploaded_at=NOW - timedelta(hours=5))
    MessageFactory(created_at=NOW - timedelta(minutes=3))
    MessageFactory(created_at=NOW - timedelta(hours=2), status="sent", sent_at=NOW - timedelta(hours=2))
    ExamSessionFactory(year=2028, registration_opens_at=NOW - timedelta(days=20), registration_closes_at=NOW + timedelta(hours=1))
    ExamSessionFactory(year=2029, registration_opens_at=NOW - timedelta(days=20), registration_closes_at=NOW + timedelta(days=30))


def test_the_gauges_read_the_registrations_scans_outbox_and_next_deadline(scrape, evening):
    with time_machine.travel(NOW, tick=False):
        scraped = scrape()
    assert value(scraped, "bts_portal_registrations", status="draft") == 2
    assert value(scraped, "bts_portal_registrations", status="locked") == 1
    assert ("bts_portal_registrations", (("status", "cancelled"),)) in scraped  # 0, drawn as such
    assert value(scraped, "bts_portal_files_awaiting_scan") == 1
    assert value(scraped, "bts_portal_oldest_file_awaiting_scan_age_seconds") == 600
    assert value(scraped, "bts_portal_outbox_unsent") == 1
    assert value(scraped, "bts_portal_oldest_unsent_message_age_seconds") == 180
    assert value(scraped, "bts_portal_next_registration_deadline_timestamp_seconds") == (NOW + timedelta(hours=1)).timestamp()


def test_nothing_waiting_reads_zero_and_no_deadline_ahead_gives_no_sample(scrape):
    with time_machine.travel(NOW, tick=False):
        scraped = scrape()
    assert value(scraped, "bts_portal_files_awaiting_scan") == 0
    assert value(scraped, "bts_portal_oldest_file_awaiting_scan_age_seconds") == 0
    assert value(scraped, "bts_portal_oldest_unsent_message_age_seconds") == 0
    assert not any(name == "bts_portal_next_registration_deadline_timestamp_seconds" for name, _ in scraped)


def test_the_gauges_cost_one_query_each_whatever_the_rows(evening, django_assert_num_queries):
    with django_assert_num_queries(4):  # registrations, scans, outbox, deadline
        list(PortalCollector().collect())


def test_the_celery_queue_lengths_are_the_brokers(scrape):
    """Redis in CI (LLEN of the queue's lists), the filesystem broker's files on a laptop."""
    from portal.celery import app

    queue = f"test-metrics-{uuid.uuid4().hex[:8]}"
    app.conf.task_always_eager = False
    try:
        record_worker_heartbeat.apply_async(queue=queue)
        record_worker_heartbeat.apply_async(queue=queue)
        assert value(scrape(), "bts_portal_celery_queue_length", queue=queue) == 2
    finally:
        with app.connection_for_write() as connection:
            connection.default_channel.queue_purge(queue)
        app.amqp.queues.pop(queue, None)
    assert ("bts_portal_celery_queue_length", (("queue", "celery"),)) in scrape()  # the default queue, always drawn


# Counters --------------------------------------------------------------------------------------

def test_a_request_shows_in_the_per_view_counter_and_latency(client, scrape):
    before = scrape()
    assert client.get(reverse("accessibility")).status_code == 200
    after = scrape()
    labels = {"view": "accessibility", "method": "GET"}
    by_status = "django_http_responses_total_by_status_view_method_total"
    assert value(after, by_status, status="200", **labels) == value(before, by_status, status="200", **labels) + 1
    latency = "django_http_requests_latency_seconds_by_view_method_count"
    assert value(after, latency, **labels) == value(before, latency, **labels) + 1


def test_an_upload_counts_each_file_stored_and_a_refused_one_nothing(scrape, candidate, run_on_commit):
    registration = RegistrationFactory(candidate=candidate)
    identity = PieceKind.objects.get(code="identity")
    before = value(scrape(), "bts_portal_uploads_total")
    with run_on_commit():
        piece_upload(registration=registration, piece_kind=identity, at=OPEN,
                     uploads=[upload("recto.pdf", pdf_bytes()), upload("verso.pdf", pdf_bytes())])
    assert value(scrape(), "bts_portal_uploads_total") == before + 2
    with run_on_commit(), pytest.raises(Exception, match="vide"):
        piece_upload(registration=registration, piece_kind=identity, at=OPEN, uploads=[upload("vide.pdf", b"")])
    assert value(scrape(), "bts_portal_uploads_total") == before + 2


def test_a_failing_task_counts_as_failed_by_its_name(scrape, monkeypatch):
    failures = ("bts_portal_celery_task_failures_total", {"task": "portal.tasks.record_worker_heartbeat"})
    before = value(scrape(), failures[0], **failures[1])
    assert record_worker_heartbeat.apply().successful()
    monkeypatch.setattr("portal.models.WorkerHeartbeat.record", lambda **kwargs: 1 / 0)
    assert record_worker_heartbeat.apply().failed()
    assert value(scrape(), failures[0], **failures[1]) == before + 1


# The Grafana dashboard -------------------------------------------------------------------------

DASHBOARD = PROJECT / "portal" / "monitoring" / "grafana-dashboard.json"
SUFFIXES = ("_bucket", "_count", "_sum", "_total", "_created")


def test_every_panel_of_the_dashboard_reads_a_metric_the_portal_exports(client, scrape, evening):
    client.get(reverse("accessibility"))  # a request, so the latency histograms have their buckets
    with time_machine.travel(NOW, tick=False):
        text = client.get("/metriques/", headers={"Authorization": f"Bearer {TOKEN}"}).content.decode()
    exported = {sample.name for family in text_string_to_metric_families(text) for sample in family.samples}
    exported |= {family.name + suffix for family in text_string_to_metric_families(text) for suffix in ("", *SUFFIXES)}

    dashboard = json.loads(DASHBOARD.read_text())
    exprs = [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]
    assert len(exprs) >= 12
    used = {name for expr in exprs for name in re.findall(r"\b((?:bts_portal|django)_[a-z_]+)", expr)}
    assert {"bts_portal_next_registration_deadline_timestamp_seconds", "bts_portal_uploads_total",
            "bts_portal_celery_task_failures_total", "django_http_requests_latency_seconds_by_view_method_bucket"} <= used
    assert used - exported == set()


# The production web server: two workers, one scrape ------------------------------------------

def get(port, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    return response.status, response.read()


@pytest.mark.django_db(transaction=True)
def test_one_scrape_counts_the_requests_of_every_gunicorn_worker(tmp_path):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url_of_the_test_database(), "ENV_FILE": "", "DEBUG": "true",
           "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2", "METRICS_TOKEN": TOKEN,
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus")}
    (tmp_path / "prometheus").mkdir()
    (tmp_path / "prometheus" / "counter_999999.db").write_bytes(b"left by the previous run")
    log_path = tmp_path / "gunicorn.log"
    served_by, answered = set(), 0
    with open(log_path, "w") as log:
        # The access log names the worker (%(p)s) that served each request.
        server = subprocess.Popen([*dockerfile_gunicorn_command(), "--no-control-socket", "--access-logformat", "%(p)s %(r)s"],
                                  cwd=PROJECT, env=env, stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    assert get(port, "/sante/")[0] == 200
                    answered += 1
                    break
                except OSError:
                    assert server.poll() is None and time.monotonic() < deadline, log_path.read_text()
                    time.sleep(0.2)
            # Concurrent, so both workers take some, once both have loaded the portal (each loads its own).
            with ThreadPoolExecutor(4) as pool:
                deadline = time.monotonic() + 60
                while len(served_by) < 2 and time.monotonic() < deadline:
                    answered += sum(status == 200 for status, _ in pool.map(lambda _: get(port, "/sante/"), range(8)))
                    served_by = set(re.findall(r"^<(\d+)> GET /sante/", log_path.read_text(), re.M))
                    time.sleep(0.1)
            status, body = get(port, "/metriques/", {"Authorization": f"Bearer {TOKEN}"})
        finally:
            server.terminate()
            server.wait(timeout=20)
    assert status == 200, log_path.read_text()[-3000:]
    assert len(served_by) == 2, "one worker took every request: the test proves nothing"
    scraped = samples(body.decode())
    assert value(scraped, "django_http_responses_total_by_status_view_method_total", status="200", view="health", method="GET") == answered
    assert value(scraped, "django_db_query_duration_seconds_count", alias="default", vendor=connection.vendor) > 0


# The Celery worker's own port ----------------------------------------------------------------

@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_serves_its_failed_tasks_on_its_own_port(tmp_path):
    from portal.celery import app

    port, queue = free_port(), f"test-{uuid.uuid4().hex[:8]}"
    (tmp_path / "prometheus").mkdir()
    (tmp_path / "prometheus" / "counter_999999.db").write_bytes(b"left by the previous run")
    worker = start_celery("worker", "--pool", "prefork", "--concurrency", "2", "--queues", queue,
                          "--hostname", f"{queue}@localhost", "--without-mingle", "--without-gossip",
                          CELERY_METRICS_PORT=str(port), PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"))
    failures = ("bts_portal_celery_task_failures_total", {"task": "portal.tasks.record_worker_heartbeat"})

    def failures_counted():
        try:
            return value(samples(get(port, "/metrics")[1].decode()), failures[0], **failures[1])
        except OSError:
            return None
    try:
        if not wait_for(lambda: failures_counted() is not None, seconds=60):
            pytest.fail(f"the worker's metrics never answered:\n{stop(worker)[-3000:]}")
        for _ in range(3):  # wrong arguments: each run ends in a TypeError
            app.send_task("portal.tasks.record_worker_heartbeat", args=["unexpected"], queue=queue)
        counted = wait_for(lambda: failures_counted() == 3, seconds=60)
    finally:
        output = stop(worker)
    assert counted, output[-3000:]


def test_the_shared_cache_is_django_redis_counted_so_the_rate_limits_keep_their_backend():
    """settings.py silences django-ratelimit's W001 for this wrapper only because it is django-redis's."""
    from django.utils.module_loading import import_string
    from django_redis.cache import RedisCache

    counted = import_string("django_prometheus.cache.backends.redis.RedisCache")
    assert issubclass(counted, RedisCache)
    assert {"add", "incr", "get_many", "set"}.isdisjoint(vars(counted))  # what the limits call is django-redis's own
