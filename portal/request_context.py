"""What a request's log lines and error reports know of it, and nothing more.

django-structlog's RequestMiddleware binds a request id and the user's numeric id to every line of
the request; this module adds the view's name, takes an incoming X-Request-ID only when it looks
like an id (a proxy's uuid), drops the user agent, and tells the error reports (portal/error_reports.py)
the user's id and which personal values to scrub. The client's address is not logged
(DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False): it is personal data, and the proxy's log has it.

A task queued by the request carries the same request_id (django-structlog's Celery headers); the
worker binds the task's name beside its id.
"""

import re

import sentry_sdk
import structlog
from django.conf import settings
from django.dispatch import receiver
from django.urls import Resolver404, resolve
from django_structlog import middlewares, signals
from django_structlog.celery import signals as celery_signals

from portal import error_reports

REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,63}")  # a uuid, or a proxy's short token


def request_id_from_upstream(value):
    """The X-Request-ID a proxy sent, when it looks like an id; None for anything else (a
    sentence, a script, an email), so that the middleware's own uuid stays."""
    return value if value and REQUEST_ID.fullmatch(value) else None


def view_name(request):
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return None


class RequestMiddleware(middlewares.RequestMiddleware):
    """django-structlog's, whose `request` field is the method and the path without the query
    string: an admin search (?q=Dupont), a filter by email, a `next=` would put a name or an
    address in the line, percent-encoded where no pattern would recognise it."""

    @staticmethod
    def format_request(request):
        return f"{request.method} {request.path}"


@receiver(signals.bind_extra_request_metadata)
def _bind_request_context(request, logger, log_kwargs, **kwargs):
    # A client's X-Request-ID is believed only behind the trusted proxy, which sets its own;
    # straight from the Internet, anyone could reuse another request's id and mix their lines.
    upstream = request_id_from_upstream(request.headers.get("X-Request-ID")) if settings.TRUSTED_PROXY_COUNT else None
    if upstream:
        structlog.contextvars.bind_contextvars(request_id=upstream)
    structlog.contextvars.bind_contextvars(view=view_name(request))
    log_kwargs.pop("user_agent", None)  # not needed to run the portal, and it narrows down who
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        sentry_sdk.set_user({"id": user.pk})  # the id only: never the email nor the name
        error_reports.scrub_also(user.email, user.first_name, user.last_name, getattr(user, "usage_name", ""))
    else:
        error_reports.scrub_also()


@receiver(celery_signals.bind_extra_task_metadata)
def _bind_task_name(task, logger, **kwargs):
    structlog.contextvars.bind_contextvars(task=task.name)
