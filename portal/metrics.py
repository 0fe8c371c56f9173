"""What /metriques/ exports to Prometheus (README, « Métriques (Prometheus) »).

django-prometheus counts the requests by view and status, their latency, the database's
queries and the cache's hits; prometheus_client's multiprocess mode adds up gunicorn's
workers. The portal's own state is read here, at scrape time, one cheap query per concern:
nothing is counted twice, nothing drifts from the database.
"""

import logging
import os

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client import REGISTRY, CollectorRegistry, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from candidates.models import Message, MessageStatus
from documents.models import PieceFile, ScanStatus
from exams.models import ExamSession, Registration, RegistrationStatus
from portal.celery import app as celery_app
from portal.health import brief_broker_connection

logger = logging.getLogger(__name__)

# An email not sent yet: waiting for its task, or taken by a worker that has not finished.
UNSENT = (MessageStatus.PENDING, MessageStatus.SENDING)


def metrics_registry():
    """Every worker's counters (multiprocess mode) or this process's, and the portal's gauges."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REGISTRY)
    registry.register(PortalCollector())
    return registry


class PortalCollector(Collector):
    """The portal's gauges, read from the database and the broker at each scrape."""

    def collect(self):
        now = timezone.now()
        yield registrations_by_status()
        yield from files_awaiting_scan(now)
        yield from outbox_unsent(now)
        yield next_registration_deadline(now)
        yield celery_queue_lengths()


def registrations_by_status():
    family = GaugeMetricFamily("bts_portal_registrations", "Registrations by status.", labels=["status"])
    counts = dict(Registration.objects.order_by().values_list("status").annotate(Count("pk")))
    for status in RegistrationStatus.values:
        family.add_metric([status], counts.get(status, 0))
    return family


def files_awaiting_scan(now):
    waiting = PieceFile.objects.filter(scan_status=ScanStatus.PENDING).aggregate(count=Count("pk"), oldest=Min("uploaded_at"))
    yield GaugeMetricFamily("bts_portal_files_awaiting_scan", "Uploaded files the antivirus has not judged yet.",
                            value=waiting["count"])
    yield GaugeMetricFamily("bts_portal_oldest_file_awaiting_scan_age_seconds",
                            "Age of the oldest file awaiting its antivirus scan (0: none waits).",
                            value=age(now, waiting["oldest"]))


def outbox_unsent(now):
    waiting = Message.objects.filter(status__in=UNSENT).aggregate(count=Count("pk"), oldest=Min("created_at"))
    yield GaugeMetricFamily("bts_portal_outbox_unsent", "Emails recorded but not sent yet (pending or being sent).",
                            value=waiting["count"])
    yield GaugeMetricFamily("bts_portal_oldest_unsent_message_age_seconds",
                            "Age of the oldest email not sent yet (0: none waits).", value=age(now, waiting["oldest"]))


def next_registration_deadline(now):
    """The next close of a session's registrations, as a Unix time: Grafana counts down to it."""
    family = GaugeMetricFamily("bts_portal_next_registration_deadline_timestamp_seconds",
                               "When the next registration window closes (Unix time; absent when none is ahead).")
    closes_at = (ExamSession.objects.filter(registration_closes_at__gt=now).order_by("registration_closes_at")
                 .values_list("registration_closes_at", flat=True).first())
    if closes_at is not None:
        family.add_metric([], closes_at.timestamp())
    return family


def celery_queue_lengths():
    """Tasks waiting in each Celery queue, as the broker counts them (kombu: LLEN of Redis's lists,
    or the message files of the filesystem broker). A broker that does not answer gives no sample."""
    family = GaugeMetricFamily("bts_portal_celery_queue_length", "Tasks waiting in a Celery queue.", labels=["queue"])
    try:
        with brief_broker_connection() as connection:  # within seconds, as the readiness check
            channel = connection.default_channel
            for queue in sorted(celery_app.amqp.queues):
                family.add_metric([queue], channel.queue_declare(queue=queue, passive=False).message_count)
    except Exception as error:  # the scrape goes on: the portal's other figures matter more then
        logger.warning("Metrics: the Celery broker did not answer (%s).", type(error).__name__)
    return family


def age(now, since):
    return max((now - since).total_seconds(), 0.0) if since else 0.0
