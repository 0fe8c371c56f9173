"""Log lines: JSON in production, readable with `make run`; each line of a request says which
request, which user (by id) and which view, and holds no email, name, password or token.

The lines are rendered by the real LOGGING handler and formatter (common/log_format.py) into a
stream, then read back one JSON object a line.
"""

import http.client
import io
import json
import logging
import logging.config
import os
import subprocess
import time
import uuid

import pytest
from django.conf import settings
from django.urls import reverse

from common import log_format
from portal.celery import app
from tests.candidates.helpers import free_port
from tests.celery_workers import PROJECT, database_url_of_the_test_database, start_celery, stop, wait_for
from tests.factories import UserFactory
from tests.portal.test_gunicorn_logging import dockerfile_gunicorn_command
from tests.portal.test_settings import PRODUCTION, manage

PASSWORD = "une phrase de passe bien solide"


@pytest.fixture
def log_lines():
    """The lines the portal writes during the test, as LOGGING renders them in production."""
    stream = io.StringIO()
    logging.config.dictConfig(log_format.logging_config(json=True, stream=stream))
    lines = type("Lines", (), {"text": lambda self: stream.getvalue(),
                               "records": lambda self: [json.loads(line) for line in stream.getvalue().splitlines()]})()
    yield lines
    logging.config.dictConfig(settings.LOGGING)


@pytest.fixture
def candidate_with_a_name(db):
    return UserFactory(email="zephyrine.quillard@exemple.fr", first_name="Zéphyrine", last_name="Quillard",
                       password=PASSWORD)


def request_lines(records, event):
    return [record for record in records if record["event"] == event]


def test_a_candidates_request_logs_its_id_the_users_id_and_the_view(client, candidate_with_a_name, log_lines):
    client.post(reverse("candidates:login"), {"username": candidate_with_a_name.email, "password": PASSWORD})

    client.get(reverse("candidates:account"))

    records = log_lines.records()
    started, finished = request_lines(records, "request_started")[-1], request_lines(records, "request_finished")[-1]
    for line in (started, finished):
        assert line["user_id"] == candidate_with_a_name.pk
        assert line["view"] == "candidates:account"
        assert uuid.UUID(line["request_id"])
    assert started["request_id"] == finished["request_id"]
    assert finished["code"] == 200 and finished["request"] == "GET /compte/"


def test_no_line_holds_the_candidates_email_name_password_or_session(client, candidate_with_a_name, log_lines):
    client.post(reverse("candidates:login"), {"username": candidate_with_a_name.email, "password": PASSWORD})
    client.get(reverse("candidates:account"))

    text = log_lines.text()
    assert "request_finished" in text
    for secret in (candidate_with_a_name.email, "Zéphyrine", "Quillard", PASSWORD, client.cookies["sessionid"].value):
        assert secret.lower() not in text.lower()
    assert "ip" not in log_lines.records()[0] and "user_agent" not in text


def test_an_account_links_token_is_masked_in_the_request_line(client, db, log_lines):
    client.get("/compte/activer/MQ/c4r7ab-0123456789abcdef0123456789abcdef/")

    text = log_lines.text()
    assert "/compte/activer/MQ/[masked]/" in text
    assert "0123456789abcdef" not in text


def test_an_email_in_a_line_is_masked(client, db, log_lines):
    logging.getLogger("candidates.outbox").warning("refusé par le serveur : <oscar.vantard@exemple.fr>")
    logging.getLogger("candidates.outbox").warning("encodé : oscar.vantard%40exemple.fr")

    text = log_lines.text()
    assert "exemple.fr" not in text
    assert "<[email]>" in text and "encodé : [email]" in text


# The review of issue 19: a query string reached the request line, where a browser writes an
# email's @ as %40 (an admin search: ?q=jean.dupont%40exemple.fr, or ?q=Dupont).
def test_the_request_line_leaves_out_the_query_string(client, db, log_lines):
    client.get(reverse("candidates:login") + "?q=zephyrine.quillard%40exemple.fr&nom=Quillard")

    finished = request_lines(log_lines.records(), "request_finished")[-1]
    assert finished["request"] == "GET /compte/connexion/"
    assert "exemple.fr" not in log_lines.text() and "Quillard" not in log_lines.text()


def test_any_value_of_a_line_is_masked_whatever_its_type(log_lines):
    import structlog

    refused = OSError("550 <oscar.vantard@exemple.fr> inconnu")  # an SMTP error passed as an object
    structlog.get_logger("candidates.tasks").warning("task_retrying", reason=refused,
                                                     recipients={"to": ["oscar.vantard@exemple.fr"]})

    (line,) = log_lines.records()
    assert "exemple.fr" not in log_lines.text()
    assert line["reason"] == "550 <[email]> inconnu" and line["recipients"] == {"to": ["[email]"]}


def test_a_failed_login_logs_neither_the_email_nor_the_address_nor_the_browser(client, candidate_with_a_name, log_lines):
    client.post(reverse("candidates:login"), {"username": candidate_with_a_name.email, "password": "pas le bon"},
                headers={"User-Agent": "NavigateurDeZephyrine/1.0"}, REMOTE_ADDR="203.0.113.77")

    text = log_lines.text()
    assert "AXES: New login failure" in text  # the line is there, for operators
    for personal in ("zephyrine", "203.0.113.77", "NavigateurDeZephyrine"):
        assert personal not in text.lower() and personal not in text


def test_a_library_records_line_is_json_with_the_requests_context_and_masked(log_lines):
    import structlog

    with structlog.contextvars.bound_contextvars(request_id="5f0c6a8e-0000-4000-8000-000000000001", user_id=7):
        logging.getLogger("django.request").warning("Not Found: /compte/mot-de-passe/nouveau/Nw/abc-1234567890/")

    (line,) = log_lines.records()
    assert line["request_id"] == "5f0c6a8e-0000-4000-8000-000000000001" and line["user_id"] == 7
    assert line["logger"] == "django.request" and line["level"] == "warning"
    assert line["event"] == "Not Found: /compte/mot-de-passe/nouveau/Nw/[masked]/"


def test_a_proxys_request_id_is_kept(client, db, log_lines, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client.get(reverse("candidates:login"), headers={"X-Request-ID": "0b7e1d9c-4f5a-4c2e-9a61-3d8f2b6c7e10"})

    assert request_lines(log_lines.records(), "request_finished")[-1]["request_id"] == "0b7e1d9c-4f5a-4c2e-9a61-3d8f2b6c7e10"


def test_a_request_id_sent_with_no_trusted_proxy_in_front_is_replaced(client, db, log_lines, settings):
    """Straight from the Internet, anyone could reuse another request's id and mix their lines."""
    settings.TRUSTED_PROXY_COUNT = 0
    client.get(reverse("candidates:login"), headers={"X-Request-ID": "0b7e1d9c-4f5a-4c2e-9a61-3d8f2b6c7e10"})

    assert request_lines(log_lines.records(), "request_finished")[-1]["request_id"] != "0b7e1d9c-4f5a-4c2e-9a61-3d8f2b6c7e10"


@pytest.mark.parametrize("sent", ["zephyrine.quillard@exemple.fr", "<script>alert(1)</script>", "x" * 200, "a b c d e f g h"])
def test_an_incoming_request_id_that_is_no_id_is_replaced(client, db, log_lines, sent, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client.get(reverse("candidates:login"), headers={"X-Request-ID": sent})

    assert uuid.UUID(request_lines(log_lines.records(), "request_finished")[-1]["request_id"])


def test_make_runs_lines_are_plain_and_readable(client, candidate_with_a_name):
    stream = io.StringIO()
    logging.config.dictConfig(log_format.logging_config(json=False, stream=stream))
    try:
        client.force_login(candidate_with_a_name)
        client.get(reverse("candidates:account"))
    finally:
        logging.config.dictConfig(settings.LOGGING)

    line = next(line for line in stream.getvalue().splitlines() if "request_finished" in line)
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)
    assert f"user_id={candidate_with_a_name.pk}" in line and "view=candidates:account" in line
    assert "\x1b[" not in line  # no colours when not on a terminal


@pytest.mark.parametrize("env, json_lines", [({**PRODUCTION}, True), ({**PRODUCTION, "LOG_FORMAT": "plain"}, False),
                                              ({"DEBUG": "true"}, False), ({"DEBUG": "true", "LOG_FORMAT": "json"}, True)])
def test_production_writes_json_lines_and_make_run_plain_ones(env, json_lines):
    result = manage("shell", "-c", "import logging; logging.getLogger('portal').warning('bonjour')", **env)

    (line,) = [line for line in result.stderr.splitlines() if "bonjour" in line]
    if json_lines:
        assert json.loads(line)["event"] == "bonjour"
    else:
        assert "bonjour" in line and "[warning  ]" in line and not line.startswith("{")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_task_queued_by_a_request_logs_the_same_request_id_in_the_worker(client, log_lines):
    """A real worker, on a queue of its own: the password-reset request queues the email's task;
    the worker's JSON lines for that task carry the request's id, the task's id and name."""
    candidate = UserFactory(email="oscar.vantard@exemple.fr")
    queue = f"test-logs-{uuid.uuid4().hex[:8]}"
    routes = app.conf.task_routes
    app.conf.task_always_eager = False
    app.conf.update(task_routes={"*": {"queue": queue}})
    worker = start_celery("worker", "--pool", "solo", "--queues", queue, "--hostname", f"{queue}@localhost",
                          "--without-mingle", "--without-gossip", LOG_FORMAT="json", EMAIL_URL="dummymail://")
    try:
        client.post(reverse("candidates:password_reset"), {"email": candidate.email})
        web = request_lines(log_lines.records(), "request_finished")[-1]
        assert web["view"] == "candidates:password_reset"

        def worker_lines():
            lines = []
            for line in worker.lines:
                try:
                    lines.append(json.loads(line))
                except json.JSONDecodeError:
                    continue  # the worker's banner
            return lines

        done = wait_for(lambda: any(line["event"] == "task_succeeded" for line in worker_lines()), seconds=60)
    finally:
        output = stop(worker)
        app.conf.update(task_routes=routes)
    assert done, f"the worker did not run the task within 60 s:\n{output[-3000:]}"
    task_lines = [line for line in worker_lines() if line.get("task") == "candidates.tasks.deliver_message"]
    assert {line["event"] for line in task_lines} >= {"task_started", "task_succeeded"}
    assert all(line["request_id"] == web["request_id"] and line["task_id"] for line in task_lines)
    assert candidate.email not in output


@pytest.mark.django_db(transaction=True)
def test_the_production_web_servers_lines_are_all_json_gunicorns_own_included(tmp_path):
    """gunicorn started as the Dockerfile starts it, with LOG_FORMAT=json: its own lines (booting,
    shutting down) and the portal's are JSON on standard error; the access log keeps its format."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url_of_the_test_database(), "ENV_FILE": "", "DEBUG": "true",
           "LOG_FORMAT": "json", "PYTHONUNBUFFERED": "1", "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1"}
    out, err = tmp_path / "access.log", tmp_path / "error.log"
    with open(out, "w") as stdout, open(err, "w") as stderr:
        server = subprocess.Popen([*dockerfile_gunicorn_command(), "--no-control-socket"], cwd=PROJECT, env=env,
                                  stdout=stdout, stderr=stderr)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    connection.request("GET", "/compte/activer/MQ/c4r7ab-0123456789abcdef/")
                    connection.getresponse().read()
                    break
                except OSError:
                    assert server.poll() is None and time.monotonic() < deadline, err.read_text()
                    time.sleep(0.2)
        finally:
            server.terminate()
            server.wait(timeout=20)
    lines = [json.loads(line) for line in err.read_text().splitlines()]
    assert any(line["logger"] == "gunicorn.error" and line["event"].startswith("Booting worker") for line in lines)
    (finished,) = [line for line in lines if line["event"] == "request_finished"]
    assert finished["view"] == "candidates:activate" and finished["request"] == "GET /compte/activer/MQ/[masked]/"
    assert "0123456789abcdef" not in err.read_text() + out.read_text()
    assert "GET /compte/activer/MQ/[masked]/ HTTP/1.1" in out.read_text()
