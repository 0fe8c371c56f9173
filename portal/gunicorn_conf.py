"""gunicorn's settings for the portal's web processes: `gunicorn -c python:portal.gunicorn_conf portal.wsgi`.

Every value comes from the environment, with the production image's defaults:
  GUNICORN_BIND     address and port (0.0.0.0:8000)
  WEB_CONCURRENCY   worker processes (3; about 2 per core, see the README's « Monter en charge »)
  GUNICORN_TIMEOUT  seconds a request may take before its worker is replaced (60)
  PROMETHEUS_MULTIPROC_DIR  a folder of this server's own where each worker writes its metrics,
                    so that one scrape of /metriques/ adds up every worker (README, « Métriques »)
"""

import os
from pathlib import Path

from common import log_format

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
accesslog = "-"
# The path without its query string, and neither the Referer nor the user agent: an admin search
# (?q=Dupont) or a filter by email would put a name or an address in the line (README, « Journaux »).
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
# The access log masks the token of account links (activation, new password, change of address):
# mail scanners open them before the candidate does (common/gunicorn_logging.py).
logger_class = "common.gunicorn_logging.Logger"
# gunicorn's own lines in the portal's format: JSON unless DEBUG (or LOG_FORMAT=plain), as settings.py decides.
_debug = os.environ.get("DEBUG", "").lower() in ("true", "on", "1", "yes", "y")
logconfig_dict = log_format.gunicorn_error_log_config(json=os.environ.get("LOG_FORMAT", "plain" if _debug else "json") == "json")


def on_starting(server):
    """Metrics left by the previous run of this server would be added to this one's: start empty."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:  # the master loads no app, so every file there is a leftover
        Path(folder).mkdir(parents=True, exist_ok=True)
        for leftover in Path(folder).glob("*.db"):
            leftover.unlink()


def child_exit(server, worker):
    """A worker that exits (replaced on timeout, or at a restart) leaves its counters counted,
    and its live gauges dropped."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
