"""`python -m portal.probe /sante/`: the web container's health check (docker-compose.yml).

Asks this container's gunicorn (the port of GUNICORN_BIND, 8000 by default) for the path and
exits 0 on a 200, 1 otherwise. It sends the first of ALLOWED_HOSTS as Host: production's list holds
the public name only, and Django answers 400 to a request for 127.0.0.1. No Django is imported,
so a probe every few seconds costs a few milliseconds.
"""

import http.client
import os
import sys

PROBE_TIMEOUT_SECONDS = 10


def host_header():
    first = os.environ.get("ALLOWED_HOSTS", "").split(",")[0].strip().lstrip(".")
    return first if first and first != "*" else "localhost"


def probe(path):
    """0 when gunicorn answers 200 to `path`, else 1 (an error status, a refused or silent port)."""
    port = int(os.environ.get("GUNICORN_BIND", "0.0.0.0:8000").rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=PROBE_TIMEOUT_SECONDS)
    try:
        connection.request("GET", path, headers={"Host": host_header()})
        return 0 if connection.getresponse().status == 200 else 1
    except OSError:
        return 1
    finally:
        connection.close()


if __name__ == "__main__":
    sys.exit(probe(sys.argv[1] if len(sys.argv) > 1 else "/sante/"))
