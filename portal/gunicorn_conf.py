"""gunicorn's settings for the portal's web processes: `gunicorn -c python:portal.gunicorn_conf portal.wsgi`.

Every value comes from the environment, with the production image's defaults:
  GUNICORN_BIND     address and port (0.0.0.0:8000)
  WEB_CONCURRENCY   worker processes (3; about 2 per core, see the README's « Monter en charge »)
  GUNICORN_TIMEOUT  seconds a request may take before its worker is replaced (60)
"""

import os

from common import log_format

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
accesslog = "-"
# The access log masks the token of account links (activation, new password, change of address):
# mail scanners open them before the candidate does (common/gunicorn_logging.py).
logger_class = "common.gunicorn_logging.Logger"
# gunicorn's own lines in the portal's format: JSON unless DEBUG (or LOG_FORMAT=plain), as settings.py decides.
_debug = os.environ.get("DEBUG", "").lower() in ("true", "on", "1", "yes", "y")
logconfig_dict = log_format.gunicorn_error_log_config(json=os.environ.get("LOG_FORMAT", "plain" if _debug else "json") == "json")
