"""The Celery worker's metrics for Prometheus (README, « Métriques (Prometheus) »).

A task runs in a worker process, not in gunicorn's: the worker's main process serves its own
metrics on CELERY_METRICS_PORT (prometheus_client's HTTP server), adding up its prefork children
when PROMETHEUS_MULTIPROC_DIR is set, as gunicorn does (portal/gunicorn_conf.py).
"""

import os
from pathlib import Path

from celery.signals import task_failure, worker_init, worker_process_shutdown
from prometheus_client import REGISTRY, CollectorRegistry, Counter, disable_created_metrics, multiprocess, start_http_server

# No `_created` series beside each counter and histogram (the multiprocess mode has none either):
# half as many series, and the same names whether one process or several export them.
disable_created_metrics()

# prometheus_client writes there from the first metric any module creates: the folder must exist
# before the apps load (this module is imported with portal/celery.py, by every process, first).
MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if MULTIPROC_DIR:
    Path(MULTIPROC_DIR).mkdir(parents=True, exist_ok=True)

task_failures_total = Counter("bts_portal_celery_task_failures", "Celery tasks that ended in an exception, by task.", ["task"])


@task_failure.connect
def _count_task_failure(sender=None, **kwargs):
    task_failures_total.labels(task=getattr(sender, "name", None) or "unknown").inc()


@worker_init.connect
def _serve_worker_metrics(**kwargs):
    """In the worker's main process, before its pool starts: forget the previous run's counts,
    then serve every child's."""
    from django.conf import settings

    if not settings.CELERY_METRICS_PORT:
        return
    registry = REGISTRY
    if MULTIPROC_DIR:
        forget_previous_runs(MULTIPROC_DIR)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    start_http_server(settings.CELERY_METRICS_PORT, registry=registry)


def forget_previous_runs(folder):
    """Delete the files of processes gone (this one's own stay: it holds them open)."""
    for leftover in Path(folder).glob("*.db"):
        if not leftover.stem.endswith(f"_{os.getpid()}"):
            leftover.unlink()


@worker_process_shutdown.connect
def _forget_a_dead_child(pid=None, **kwargs):
    if MULTIPROC_DIR:
        multiprocess.mark_process_dead(pid or os.getpid())
