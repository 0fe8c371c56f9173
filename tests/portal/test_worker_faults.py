"""A worker killed (SIGKILL) in the middle of a task: the task is done once, by the next worker.

Tasks are acknowledged late and given back when their worker is lost (settings), and Redis
hands an unacknowledged task to another worker after the visibility timeout, here shortened to
2 seconds. Each test holds the first worker inside its task with a server that accepts the
connection and never answers (clamd, SMTP), kills it there, then starts a second worker.
"""

import os
import signal
import socket
import struct
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from candidates.models import Message, MessageStatus
from documents.models import PieceFile, PieceKind, ScanStatus
from documents.pieces import piece_upload
from tests.celery_workers import output, start_celery, stop, wait_for
from tests.documents.files import pdf_bytes, upload
from tests.factories import MessageFactory, RegistrationFactory, UserFactory, paris

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

VISIBILITY_TIMEOUT = 2


@pytest.fixture(autouse=True)
def redis_broker(reference_data):
    """Redelivery after a lost worker is the broker's job: these tests need Redis (always in CI)."""
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run these tests against Redis (.ci/run sets REDIS_URL)")
        pytest.skip(reason="needs Redis as the broker: set REDIS_URL (CI does)")
    from portal.celery import app

    app.conf.task_always_eager = False


@pytest.fixture
def media(settings, tmp_path):
    """Uploads in a folder that the worker processes share with the test."""
    folder = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(folder)}}}
    return folder


class Server:
    """A TCP server on 127.0.0.1: `hang` accepts and never answers; otherwise `answer(conn)`."""

    def __init__(self, answer=None):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.answer, self.hang = answer, True
        self.connected = threading.Event()
        self.answered = 0
        self.held = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connected.set()
            if self.hang:
                self.held.append(connection)
                continue
            with connection:
                self.answer(connection)
                self.answered += 1

    def close(self):
        self.listener.close()
        for connection in self.held:
            connection.close()


def clamd_finding_eicar(connection):
    """clamd's INSTREAM: a command line, chunks each prefixed with its length, a zero length."""
    stream = connection.makefile("rb")
    stream.readline()
    while (size := struct.unpack("!L", stream.read(4))[0]) != 0:
        stream.read(size)
    connection.sendall(b"stream: Eicar-Test-Signature FOUND\n")


def worker(queue, **env):
    return start_celery("worker", "--pool", "solo", "--queues", queue, "--hostname", f"{uuid.uuid4().hex[:8]}@localhost",
                        "--without-mingle", "--without-gossip",
                        CELERY_VISIBILITY_TIMEOUT_SECONDS=str(VISIBILITY_TIMEOUT), **env)


def kill_inside_the_task(process, server):
    if not server.connected.wait(60):
        pytest.fail(f"the first worker never reached the server:\n{stop(process)[-3000:]}")
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    time.sleep(VISIBILITY_TIMEOUT + 1)  # the task is now overdue: the next worker takes it back


def a_file_to_scan():
    registration = RegistrationFactory(candidate=UserFactory())
    piece_file = piece_upload(registration=registration, piece_kind=PieceKind.objects.get(code="identity"),
                              uploads=[upload("carte.pdf", pdf_bytes())], at=paris(2023, 11, 1, 10))[0]
    PieceFile.objects.filter(pk=piece_file.pk).update(scan_status=ScanStatus.PENDING)
    return piece_file


def pool_processes(worker_process):
    return [int(pid) for pid in Path(f"/proc/{worker_process.pid}/task/{worker_process.pid}/children").read_text().split()]


def test_a_pool_process_killed_mid_scan_is_replaced_and_the_scan_done_once(media, tmp_path):
    """The production pool (prefork): the process running the task dies; the worker starts a new
    one and, because tasks are acknowledged late and given back when their process is lost, the
    scan runs again there. Without either setting the task would be lost: this test would fail."""
    piece_file = a_file_to_scan()
    clamd = Server(answer=clamd_finding_eicar)
    outbox = tmp_path / "outbox"
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    from documents.tasks import scan_piece_file

    process = start_celery("worker", "--pool", "prefork", "--concurrency", "1", "--queues", f"{queue},celery",
                           "--hostname", f"{uuid.uuid4().hex[:8]}@localhost", "--without-mingle", "--without-gossip",
                           MEDIA_ROOT=str(media), CLAMD_URL=f"tcp://127.0.0.1:{clamd.port}", EMAIL_URL=f"filemail:///{outbox}")
    try:
        scan_piece_file.apply_async(args=[piece_file.pk], queue=queue)
        if not clamd.connected.wait(60):
            pytest.fail(f"the task never reached clamd:\n{stop(process)[-3000:]}")
        [running] = pool_processes(process)
        clamd.hang = False  # the next connection, from the new pool process, gets its answer
        os.kill(running, signal.SIGKILL)
        done = wait_for(lambda: PieceFile.objects.get(pk=piece_file.pk).scan_status != ScanStatus.PENDING, 60)
        emailed = wait_for(lambda: Message.objects.filter(status=MessageStatus.SENT).exists(), 30)
        replaced = pool_processes(process)
        time.sleep(2)  # room for a duplicate, were there one
    finally:
        worker_output = stop(process)
        clamd.close()
    assert done and emailed, worker_output[-4000:]
    assert replaced and running not in replaced, "a new pool process took over"
    piece_file.refresh_from_db()
    assert piece_file.scan_status == ScanStatus.INFECTED
    assert clamd.answered == 1, "scanned to the end once"
    assert Message.objects.filter(event_key=f"piece-infected:{piece_file.pk}").count() == 1
    assert len(list(outbox.iterdir())) == 1, "one email"


def test_a_whole_worker_killed_mid_scan_leaves_the_scan_to_the_next_worker(media, tmp_path):
    """The worker itself dies (a lost machine): Redis hands the unacknowledged task to the worker
    started next, once the visibility timeout has passed."""
    piece_file = a_file_to_scan()
    clamd = Server(answer=clamd_finding_eicar)
    outbox = tmp_path / "outbox"
    env = {"MEDIA_ROOT": str(media), "CLAMD_URL": f"tcp://127.0.0.1:{clamd.port}", "EMAIL_URL": f"filemail:///{outbox}"}
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    from documents.tasks import scan_piece_file

    first = worker(queue, **env)
    try:
        scan_piece_file.apply_async(args=[piece_file.pk], queue=queue)
        kill_inside_the_task(first, clamd)
        piece_file.refresh_from_db()
        assert piece_file.scan_status == ScanStatus.PENDING, "killed before its verdict"

        clamd.hang = False
        second = worker(f"{queue},celery", **env)  # and the default queue, where the email goes
        try:
            done = wait_for(lambda: PieceFile.objects.get(pk=piece_file.pk).scan_status != ScanStatus.PENDING, 60)
            emailed = wait_for(lambda: Message.objects.filter(status=MessageStatus.SENT).exists(), 30)
            time.sleep(VISIBILITY_TIMEOUT + 1)  # room for a duplicate, were there one
        finally:
            second_output = stop(second)
    finally:
        stop(first)
        clamd.close()
    assert done and emailed, f"first worker:\n{output(first)[-2000:]}\nsecond worker:\n{second_output[-3000:]}"
    piece_file.refresh_from_db()
    assert piece_file.scan_status == ScanStatus.INFECTED
    assert clamd.answered == 1, "scanned to the end once"
    assert Message.objects.filter(event_key=f"piece-infected:{piece_file.pk}").count() == 1
    assert len(list(outbox.iterdir())) == 1, "one email"


def test_an_email_whose_worker_died_while_sending_is_not_sent_again(tmp_path):
    """Claimed before sending: after a crash mid-send it stays « envoi en cours » for staff to
    check, rather than risk a second copy."""
    user = UserFactory()
    message = MessageFactory(recipient=user, event_key=f"test:{uuid.uuid4()}", subject="Inscription validée")
    smtp = Server()
    outbox = tmp_path / "outbox"
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    from candidates.tasks import deliver_message

    first = worker(queue, EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}")
    try:
        task = deliver_message.apply_async(args=[message.pk], queue=queue)
        kill_inside_the_task(first, smtp)
        second = worker(queue, EMAIL_URL=f"filemail:///{outbox}")
        try:
            ran_again = wait_for(lambda: f"deliver_message[{task.id}] succeeded" in output(second), 60)
        finally:
            second_output = stop(second)
    finally:
        stop(first)
        smtp.close()
    assert ran_again, f"the task was not delivered again:\n{second_output[-3000:]}"
    message.refresh_from_db()
    assert message.status == MessageStatus.SENDING and message.attempts == 1
    assert not Path(outbox).exists() or not list(Path(outbox).iterdir()), "no second copy"
