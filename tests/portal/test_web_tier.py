"""The web tier scales out: two gunicorn instances, started with the Dockerfile's command on two
ports of this machine, each with its own environment, share nothing but PostgreSQL (the test
database), Redis (the test's REDIS_URL: cache, sessions, broker) and one uploads folder (the
shared volume). One browser, whose load balancer sends each request to either, goes on as if
there were one: logged in through A, it is logged in on B; a lock made through A is refused
through B; a cache change made through A shows on B at once; a file stored through A downloads
through B.

The instances run with DEBUG=true: its cookies are not `Secure`, so they travel over plain HTTP
on the loopback; everything else that matters here (sessions, cache, storage) is as in production.
"""

import html
import os
import re
import subprocess
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates.models import Message
from documents.models import PieceFile
from documents.requirements import required_pieces
from exams.models import ExamSession
from portal.probe import probe
from tests.candidates.helpers import free_port
from tests.celery_workers import PROJECT, database_url_of_the_test_database
from tests.documents.files import pdf_bytes
from tests.documents.helpers import give_every_piece
from tests.factories import MessageFactory, RegistrationFactory, UserFactory
from tests.portal.test_gunicorn_logging import dockerfile_gunicorn_command
from tests.text import french

pytestmark = [pytest.mark.django_db(transaction=True)]

PASSWORD = "un mot de passe solide"  # UserFactory's
READY_SECONDS = 30


@dataclass
class Instance:
    name: str
    port: int
    process: subprocess.Popen
    log: object

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"


def start_instance(name, *, media, redis_url, secret_key):
    """gunicorn as the Dockerfile runs it, with an environment of its own but the shared servers."""
    port = free_port()
    env = {**os.environ, "ENV_FILE": "", "DEBUG": "true", "PYTHONUNBUFFERED": "1",
           "DATABASE_URL": database_url_of_the_test_database(), "REDIS_URL": redis_url, "MEDIA_ROOT": str(media),
           "SECRET_KEY": secret_key,  # every instance signs with the same key, or a session from A is forged on B
           "CLAMD_URL": "", "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1"}
    log = open(media.parent / f"gunicorn-{name}.log", "w")
    process = subprocess.Popen([*dockerfile_gunicorn_command(), "--no-control-socket"], cwd=PROJECT, env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    return Instance(name, port, process, log)


def wait_until_live(instance, deadline):
    while True:
        try:
            if Browser().get(instance, "/sante/vivant/").status == 200:
                return
        except OSError:
            pass
        assert instance.process.poll() is None and time.monotonic() < deadline, \
            f"{instance.name} did not start:\n{Path(instance.log.name).read_text()}"
        time.sleep(0.2)


@dataclass
class Answer:
    status: int
    url: str
    text: str
    body: bytes


class Browser:
    """One browser: one cookie jar, each request sent to the instance named, redirects followed there."""

    def __init__(self):
        self.cookies = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.cookies))

    def get(self, instance, path):
        return self._open(Request(instance.url + path))

    def post(self, instance, path, fields, *, files=None, headers=None):
        fields = {"csrfmiddlewaretoken": self.cookie("csrftoken"), **fields}
        if files:
            body, content_type = multipart(fields, files)
        else:
            body, content_type = urlencode(fields).encode(), "application/x-www-form-urlencoded"
        return self._open(Request(instance.url + path, data=body, method="POST",
                                  headers={"Content-Type": content_type, **(headers or {})}))

    def cookie(self, name):
        return next((cookie.value for cookie in self.cookies if cookie.name == name), "")

    def _open(self, request):
        try:
            with self.opener.open(request, timeout=30) as response:
                body = response.read()
                return Answer(response.status, response.url, html.unescape(body.decode(errors="replace")), body)
        except HTTPError as error:
            body = error.read()
            return Answer(error.code, error.url, html.unescape(body.decode(errors="replace")), body)


def multipart(fields, files):
    """A multipart/form-data body: `files` maps a field to (file name, content type, bytes)."""
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in fields.items()]
    for name, (filename, content_type, content) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: {content_type}\r\n\r\n".encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the two-instance test against Redis (.ci/run sets REDIS_URL)")
        pytest.skip(reason="two instances share sessions and cache through Redis: set REDIS_URL (CI does)")
    return url


@pytest.fixture
def shared_media(settings, tmp_path):
    """The uploads volume both instances mount; the test's own files (the pieces it gives) go there too."""
    folder = tmp_path / "media"
    folder.mkdir()
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(folder)}}}
    return folder


def empty_redis(url):
    """Each transactional test builds its database anew (new ids for the specialties, the session…):
    what the instances cached about the last one, and the tasks they queued, go with it."""
    import redis

    redis.Redis.from_url(url).flushdb()


@pytest.fixture
def two_instances(reference_data, shared_media, redis_url):
    empty_redis(redis_url)
    secret_key = f"cle-partagee-{uuid.uuid4().hex}"
    instances = [start_instance(name, media=shared_media, redis_url=redis_url, secret_key=secret_key) for name in "AB"]
    try:
        deadline = time.monotonic() + READY_SECONDS
        for instance in instances:
            wait_until_live(instance, deadline)
        yield instances
    finally:
        for instance in instances:
            instance.process.terminate()
        for instance in instances:
            try:
                instance.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                instance.process.kill()
                instance.process.wait()
            instance.log.close()
        empty_redis(redis_url)  # no worker of this test runs the tasks they queued (scans, emails)


@pytest.fixture
def registration():
    """A candidate's draft in a session whose window is open now (the instances' clock is the real one)."""
    now = timezone.now()
    ExamSession.objects.filter(year=2024, academy="Normandie").update(
        registration_opens_at=now - timedelta(days=1), registration_closes_at=now + timedelta(days=10))
    return RegistrationFactory(candidate=UserFactory(email="camille.martin@exemple.fr"))


def log_in(browser, instance, email):
    """Through the real login form: its page sets the CSRF cookie, the form carries the token."""
    page = browser.get(instance, reverse("candidates:login"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return browser.post(instance, reverse("candidates:login"), {"csrfmiddlewaretoken": token, "username": email, "password": PASSWORD})


def test_both_instances_are_ready_on_the_shared_servers(two_instances, monkeypatch):
    for instance in two_instances:
        assert Browser().get(instance, "/sante/").status == 200
        monkeypatch.setenv("GUNICORN_BIND", f"127.0.0.1:{instance.port}")
        assert probe("/sante/") == 0  # docker-compose.yml's health check


def test_a_candidate_logged_in_through_one_instance_goes_on_through_the_other(two_instances, registration):
    a, b = two_instances
    browser = Browser()
    assert browser.get(b, reverse("documents:overview", args=[registration.pk])).url.startswith(f"{b.url}/compte/connexion/")
    logged_in = log_in(browser, a, registration.candidate.email)
    assert logged_in.status == 200 and "/compte/connexion/" not in logged_in.url
    dashboard = browser.get(b, reverse("documents:overview", args=[registration.pk]))
    assert dashboard.status == 200 and dashboard.url == f"{b.url}{reverse('documents:overview', args=[registration.pk])}"
    assert "Mon inscription" in dashboard.text and registration.number in dashboard.text


def test_an_upload_stored_through_one_instance_downloads_through_the_other(two_instances, registration, shared_media):
    a, b = two_instances
    browser = Browser()
    log_in(browser, a, registration.candidate.email)
    kind = required_pieces(registration)[0].kind.code
    content = pdf_bytes(pages=2, padding=50_000)
    stored = browser.post(a, reverse("documents:upload", args=[registration.pk, kind]), {},
                          files={"files": ("ma-piece.pdf", "application/pdf", content)}, headers={"X-Requested-With": "XMLHttpRequest"})
    assert stored.status == 200, stored.text
    piece_file = PieceFile.objects.get(piece__registration=registration, piece__piece_kind__code=kind)
    assert (shared_media / piece_file.file.name).read_bytes() == content  # on the shared volume
    downloaded = browser.get(b, reverse("documents:file", args=[piece_file.pk]))
    assert downloaded.status == 200 and downloaded.body == content


def test_a_lock_made_through_one_instance_is_refused_through_the_other(two_instances, registration):
    a, b = two_instances
    give_every_piece(registration, timezone.now())
    browser = Browser()
    log_in(browser, a, registration.candidate.email)
    finalize = reverse("documents:finalize", args=[registration.pk])
    locked = browser.post(a, finalize, {"confirm": "yes"})
    assert locked.status == 200 and "Un courriel vous le confirme" in locked.text
    registration.refresh_from_db()
    assert registration.is_locked
    locked_at, messages = registration.locked_at, list(Message.objects.filter(recipient=registration.candidate).values_list("pk", flat=True))

    again = browser.post(b, finalize, {"confirm": "yes"})
    assert again.url.startswith(b.url) and french("était déjà validée définitivement : rien n'a changé") in again.text
    registration.refresh_from_db()
    assert registration.is_locked and registration.locked_at == locked_at
    assert list(Message.objects.filter(recipient=registration.candidate).values_list("pk", flat=True)) == messages  # no second email


def unread_badge(browser, instance):
    inbox = browser.get(instance, reverse("candidates:inbox"))
    assert inbox.status == 200
    found = re.search(r"Mes messages\s*(\d+)\s+non lus?", re.sub(r"<[^>]+>", " ", inbox.text))
    return int(found.group(1)) if found else 0


def test_a_cache_change_made_through_one_instance_shows_on_the_other_at_once(two_instances, registration):
    """The unread count of the menu is kept an hour in the cache (candidates/inbox.py) and forgotten
    when a message is read or marked unread: in a cache of each process, B would show it an hour."""
    a, b = two_instances
    message = MessageFactory(recipient=registration.candidate)
    browser = Browser()
    log_in(browser, a, registration.candidate.email)
    assert unread_badge(browser, b) == 1  # B has it in the cache now
    assert browser.get(a, reverse("candidates:message_detail", args=[message.pk])).status == 200  # read through A
    assert unread_badge(browser, b) == 0
    browser.post(a, reverse("candidates:message_mark_unread", args=[message.pk]), {})
    assert unread_badge(browser, b) == 1
