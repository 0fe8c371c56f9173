import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger
from django_structlog.celery.steps import DjangoStructLogInitStep

from common.gunicorn_logging import MaskAccountLinks
from portal import worker_metrics  # noqa: F401 - failed tasks counted, the worker's metrics served

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
# Every Celery option is a Django setting prefixed with CELERY_ (see portal/settings.py).
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The worker's lines carry the task's id and name, and the request_id of the request that queued it.
app.steps["worker"].add(DjangoStructLogInitStep)


@after_setup_logger.connect
@after_setup_task_logger.connect
def _mask_account_links_in_worker_logs(logger, **kwargs):
    """Celery takes over the root logger's handlers: the worker's lines (an SMTP error that
    quotes an email, a retry) get the same masking of account links as the web server's."""
    for handler in logger.handlers:
        handler.addFilter(MaskAccountLinks())
