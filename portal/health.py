"""What the health answers check (portal/views.py: `/sante/vivant/` and `/sante/`).

Liveness asks nothing: the process answered, so it is up. Readiness asks the three servers every
request needs, each once and briefly: PostgreSQL, the shared cache (Redis) and the Celery broker.
A web process that cannot reach one of them is taken out of the load balancer, not restarted:
restarting it would not bring Redis back.
"""

import os
import uuid

from django.core.cache import cache
from django.db import connection

# Seconds one check may wait for its server; the probe's own timeout is longer (docker-compose.yml).
CHECK_TIMEOUT_SECONDS = 2


def database_answers():
    """PostgreSQL (or SQLite) runs `SELECT 1`; a new connection waits at most `connect_timeout` (settings)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def cache_answers():
    """The default cache keeps a value and gives it back: a key of its own, so that two probes at once
    never read each other's."""
    key, value = f"health:probe:{uuid.uuid4().hex}", uuid.uuid4().hex
    try:
        cache.set(key, value, CHECK_TIMEOUT_SECONDS * 5)
        answered = cache.get(key) == value
        cache.delete(key)
        return answered
    except Exception:
        return False


def broker_answers():
    """Redis as Celery's broker accepts a connection; kombu's filesystem broker of `make run` has its
    queue folder, writable."""
    from portal.celery import app

    if app.conf.broker_url.startswith("filesystem://"):
        folder = app.conf.broker_transport_options.get("data_folder_in", "")
        return os.path.isdir(folder) and os.access(folder, os.W_OK)
    try:
        with brief_broker_connection():
            pass
        return True
    except Exception:
        return False


def brief_broker_connection():
    """A connection to the Celery broker, made within CHECK_TIMEOUT_SECONDS or an error, whose
    every read waits as long at most: a Redis that accepts and never answers holds no web process
    (the readiness check, and the metrics' queue lengths)."""
    from portal.celery import app

    timeouts = {"socket_connect_timeout": CHECK_TIMEOUT_SECONDS, "socket_timeout": CHECK_TIMEOUT_SECONDS}
    connection = app.connection_for_write(connect_timeout=CHECK_TIMEOUT_SECONDS, transport_options=timeouts)
    try:
        connection.ensure_connection(max_retries=0, timeout=CHECK_TIMEOUT_SECONDS)
    except BaseException:
        connection.release()
        raise
    return connection


def dependencies_state():
    """{"database": bool, "cache": bool, "broker": bool}, each asked once, in that order."""
    return {"database": database_answers(), "cache": cache_answers(), "broker": broker_answers()}
