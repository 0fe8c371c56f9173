"""No log line holds a usable account link (common/gunicorn_logging.py).

The masking itself on the three links the portal emails, then gunicorn's logger class fed a
request as gunicorn's worker feeds it, Django's own log handler, the SMTP error stored on a
message, and last gunicorn itself, started with the Dockerfile's arguments.
"""

import http.client
import io
import json
import logging
import os
import re
import smtplib
import subprocess
import sys
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from gunicorn.config import Config

from candidates.models import Message
from candidates.tokens import activation_link, email_change_link, password_reset_link
from common.gunicorn_logging import Logger, mask_account_links
from tests.candidates.helpers import free_port, path_of
from tests.celery_workers import PROJECT, database_url_of_the_test_database
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def token_of(link):
    return link.rstrip("/").rsplit("/", 1)[1]


@pytest.fixture
def links():
    """The three links that log in or change an account, as the emails carry them."""
    active = UserFactory(email="camille.martin@exemple.fr")
    pending = UserFactory(email="en.attente@exemple.fr", is_active=False, activated_at=None)
    return [
        activation_link(pending),
        password_reset_link(active, asked_at=timezone.now()),
        email_change_link(active, from_email=active.email, to_email="nouvelle@exemple.fr",
                          until=timezone.now() + timedelta(hours=48)),
    ]


def test_the_token_of_every_account_link_is_masked_and_the_rest_of_the_line_kept(links):
    for link in links:
        line = f'GET {path_of(link)}?utm=1 HTTP/1.1 "{link}"'
        masked = mask_account_links(line)
        assert token_of(link) not in masked
        assert masked == line.replace(token_of(link), "[masked]")


def test_an_account_link_in_a_query_string_is_masked_too(links):
    for link in links:
        encoded = path_of(link).replace("/", "%2F")
        assert token_of(link) not in mask_account_links(f"GET /compte/connexion/?next={encoded} HTTP/1.1")


def test_other_paths_are_left_alone():
    line = "GET /compte/connexion/?next=/mes-inscriptions/12/ HTTP/1.1 /compte/activer/ /compte/mot-de-passe/oublie/"
    assert mask_account_links(line) == line


def gunicorn_logger(tmp_path, access_log_format):
    cfg = Config()
    cfg.set("accesslog", str(tmp_path / "access.log"))
    cfg.set("errorlog", str(tmp_path / "error.log"))
    cfg.set("access_log_format", access_log_format)
    return Logger(cfg)


def log_request(logger, link):
    """What gunicorn's worker logs of one request for `link`, with the link as Referer too,
    answered by a redirect to it (the request line, PATH_INFO, the headers, the environ)."""
    path = path_of(link)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": path, "PATH_INFO": path, "QUERY_STRING": "",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "203.0.113.7", "HTTP_REFERER": link}
    request = SimpleNamespace(headers=[("REFERER", link), ("USER-AGENT", "scanner")])
    response = SimpleNamespace(status="302 Found", headers=[("Location", link)], sent=0)
    logger.access(response, request, environ, timedelta(milliseconds=3))


def test_gunicorns_access_log_masks_every_atom_that_carries_the_link(tmp_path, links):
    atoms = '%(h)s "%(r)s" %(U)s "%(f)s" %({raw_uri}e)s %({path_info}e)s %({referer}i)s %({location}o)s'
    logger = gunicorn_logger(tmp_path, atoms)
    for link in links:
        log_request(logger, link)
    written = (tmp_path / "access.log").read_text()
    assert written.count("[masked]") == 7 * len(links)  # every atom but %(h)s
    for link in links:
        assert token_of(link) not in written


def test_gunicorns_error_log_masks_the_link_in_messages_and_tracebacks(tmp_path, links):
    logger = gunicorn_logger(tmp_path, "%(r)s")
    for link in links:
        try:
            raise ValueError(f"no route for {link}")
        except ValueError:
            logger.exception("Error handling request %s", path_of(link))  # gunicorn's worker, on a crash
    written = (tmp_path / "error.log").read_text()
    assert "Error handling request /compte/" in written and "ValueError: no route for" in written
    for link in links:
        assert token_of(link) not in written


def test_djangos_log_lines_mask_the_link(links):
    """django.request logs "Internal Server Error: <path>" with the traceback when a view fails:
    a link that failed (the database was down) is still valid afterwards."""
    console = next(handler for handler in logging.getLogger().handlers if getattr(handler, "name", "") == "console")
    written = io.StringIO()
    previous = console.setStream(written)
    try:
        for link in links:
            try:
                raise RuntimeError(link)
            except RuntimeError:
                logging.getLogger("django.request").error("Internal Server Error: %s", path_of(link), exc_info=True)
    finally:
        console.setStream(previous or sys.stderr)
    assert "Internal Server Error: /compte/" in written.getvalue()
    for link in links:
        assert token_of(link) not in written.getvalue()


def test_an_smtp_error_that_echoes_the_link_is_stored_masked(client, candidate, monkeypatch, run_on_commit):
    """Message.last_error is shown to staff in admin: a server that quotes the email's body in
    its refusal would otherwise put a new-password link there."""
    from django.core.mail import EmailMultiAlternatives

    sent_links = []

    def refuse_quoting_the_body(email, *args, **kwargs):
        sent_links.append(email.body)
        raise smtplib.SMTPDataError(554, f"Message refusé : {email.body}")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse_quoting_the_body)
    with run_on_commit():
        client.post(reverse("candidates:password_reset"), {"email": candidate.email})
    message = Message.objects.get(recipient=candidate)
    link = next(word for word in sent_links[0].split() if "/mot-de-passe/nouveau/" in word)
    assert "/compte/mot-de-passe/nouveau/" in message.last_error
    assert token_of(link) not in message.last_error
    assert mail.outbox == []


# The production web server, end to end ------------------------------------------------------

def dockerfile_gunicorn_command():
    """The production web command, from the Dockerfile's CMD: gunicorn with portal/gunicorn_conf.py,
    whose bind and workers come from GUNICORN_BIND and WEB_CONCURRENCY."""
    command = json.loads(re.search(r"^CMD (\[.*\])$", (PROJECT / "Dockerfile").read_text(), re.M).group(1))
    assert command == ["gunicorn", "-c", "python:portal.gunicorn_conf", "portal.wsgi:application"]
    return [sys.executable, "-m", *command]


# Issue 13's probe: gunicorn's access log kept every link's token (closed by the Logger class of
# common/gunicorn_logging.py, which the Dockerfile's command passes to gunicorn).
@pytest.mark.django_db(transaction=True)
def test_no_log_of_the_production_web_server_holds_a_usable_account_link(tmp_path):
    """gunicorn runs with --access-logfile - in production: the request line of a new-password
    or activation link, token included, lands in the log, usable by whoever reads it (for an
    hour, or 48 hours for an activation a mail scanner opened without following the redirect)."""
    active = UserFactory(email="lecteur.de.journaux@exemple.fr")
    pending = UserFactory(email="en.attente@exemple.fr", is_active=False, activated_at=None)
    links = [path_of(password_reset_link(active, asked_at=timezone.now())), path_of(activation_link(pending))]

    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url_of_the_test_database(), "ENV_FILE": "", "DEBUG": "true",
           "PYTHONUNBUFFERED": "1", "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1"}
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen([*dockerfile_gunicorn_command(), "--no-control-socket"],
                                  cwd=PROJECT, env=env, stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    connection.request("GET", "/sante/")
                    connection.getresponse().read()
                    break
                except OSError:
                    assert server.poll() is None and time.monotonic() < deadline, log_path.read_text()
                    time.sleep(0.2)
            for link in links:  # what a mail scanner does: one GET, no redirect followed
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                connection.request("GET", link)
                assert connection.getresponse().status == 302
        finally:
            server.terminate()
            server.wait(timeout=20)
    written = log_path.read_text()
    assert "GET /sante/" in written  # the access log is on, as in production
    for link in links:
        assert token_of(link) not in written
