"""Log lines: one JSON object a line in production, plain readable lines on a developer's machine.

Every record goes through the same structlog processors, the portal's own (structlog) and the
libraries' (Django, Celery, gunicorn's error log: stdlib logging), thanks to structlog's
ProcessorFormatter in LOGGING. Each line carries what django-structlog bound for its request or
task (request_id, user_id, view, task_id, task), and no account link's token nor email address:
every string value is masked (common.gunicorn_logging.mask_account_links), the traceback included.

Imports no app, and not Django: settings.py builds LOGGING with it.
"""

import re
import sys

import structlog

from common.gunicorn_logging import mask_account_links

# An address as typed, or percent-encoded as a browser sends it in a query string (%40 for @).
EMAIL = re.compile(r"[\w.+%-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
EMAIL_MASK = "[email]"

# What every record gets before it is rendered, whether it came from structlog or from logging.
_SHARED = [
    structlog.contextvars.merge_contextvars,  # request_id, user_id, view; task_id, task in a worker
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.PositionalArgumentsFormatter(),
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def mask_text(text):
    """`text` with no account link's token and no email address (a line names a user by its id)."""
    return EMAIL.sub(EMAIL_MASK, mask_account_links(text))


def masked(value, mask=mask_text):
    """A value masked whatever its type: a string, the strings inside a dict or a list, and any
    other object as its text (an exception passed as `reason=`, an SMTP error quoting the
    recipients), since a renderer would write its repr unmasked. `mask` is the text's masking
    (the log lines' here; the error reports' in portal/error_reports.py)."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict):
        return {key: masked(item, mask) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [masked(item, mask) for item in value]
    return mask(value if isinstance(value, str) else str(value))


def mask_account_links_and_emails(logger, method_name, event_dict):
    """Every value of the line masked: the request line of /compte/activer/<uid>/<token>/,
    an SMTP error quoting a link or an address, a login's email in a query string, a traceback."""
    return {key: masked(value) for key, value in event_dict.items()}


def formatter(*, json):
    """LOGGING's formatter: JSON lines, or plain lines (colours only on a terminal)."""
    renderer = (structlog.processors.JSONRenderer(ensure_ascii=False) if json
                else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty(), exception_formatter=structlog.dev.plain_traceback))
    return {
        "()": structlog.stdlib.ProcessorFormatter,
        "foreign_pre_chain": _SHARED,
        "processors": [
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,  # the traceback as text, so that it is masked too
            mask_account_links_and_emails,
            renderer,
        ],
    }


def logging_config(*, json, level="INFO", stream=None):
    """Django's LOGGING: one console handler for every logger, in the format asked."""
    handler = {"class": "logging.StreamHandler", "formatter": "json" if json else "plain",
               # The libraries' records are masked before formatting too (their message, exc_text).
               "filters": ["account_links"]}
    if stream is not None:
        handler["stream"] = stream
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json" if json else "plain": formatter(json=json)},
        "filters": {"account_links": {"()": "common.gunicorn_logging.MaskAccountLinks"}},
        "handlers": {"console": handler},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            **{name: {"level": "WARNING"} for name in ("axes", "weasyprint", "fontTools")},
            # Django's own handlers (its DEBUG console, runserver's lines) replaced by this one.
            "django": {"handlers": [], "level": level},
            "django.server": {"handlers": ["console"], "propagate": False},
            # Celery gives this logger a handler of its own (its plain format) unless it has one.
            "celery.task": {"handlers": ["console"], "propagate": False},
        },
    }


def configure_structlog():
    """structlog's loggers hand their event to logging, whose handler renders it (above)."""
    structlog.configure(
        processors=[structlog.stdlib.filter_by_level, *_SHARED, structlog.processors.StackInfoRenderer(),
                    structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def gunicorn_error_log_config(*, json):
    """gunicorn's logconfig_dict: its own lines (booting, workers, timeouts) in the portal's format.
    Its access log keeps common.gunicorn_logging.Logger's format and masking."""
    return {
        "root": {"level": "INFO", "handlers": []},  # the workers' root is Django's LOGGING
        "formatters": {"portal": formatter(json=json)},
        "handlers": {"error_console": {"class": "logging.StreamHandler", "formatter": "portal", "stream": "ext://sys.stderr"}},
        "loggers": {"gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False}},
    }
