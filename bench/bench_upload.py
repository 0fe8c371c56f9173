"""A 10 MB upload through gunicorn: how much the web process grows while it handles it.

Django writes uploads over 2.5 MB to a temporary file and the checks read them by chunks, so
the worker's peak resident memory (VmHWM) should grow by far less than the file's size.
"""

import http.client
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from bench.common import Row, free_port, logged_in_session_key, open_session, pdf_of_size, wait_for_port

PROJECT = Path(__file__).resolve().parent.parent
TARGET_MB = 30


def run():
    from django.conf import settings
    from django.middleware.csrf import _get_new_csrf_string

    from candidates.models import User
    from exams.models import Registration

    session = open_session(year=2199, name="Bench")
    from exams.models import Specialty

    user = User.objects.create_user("bench-upload@exemple.fr", "x" * 16, is_active=True)
    registration = Registration.objects.create(candidate=user, session=session, number="2199-000001", category="employee",
                                               pathway="scolaire", diploma="bac_pro", specialty=Specialty.objects.get(code="CG"),
                                               language="anglais", handicap=False)
    session_key = logged_in_session_key(user)
    csrf = _get_new_csrf_string()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "portal.wsgi:application", "-b", f"127.0.0.1:{port}",
                               "-w", "1", "--timeout", "120"], cwd=PROJECT, env=os.environ.copy(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        worker = _worker_pid(server.pid)
        cookies = f"{settings.SESSION_COOKIE_NAME}={session_key}; {settings.CSRF_COOKIE_NAME}={csrf}"
        path = f"/mes-documents/{registration.pk}/justificatifs/identity/deposer/"
        _post(port, path, cookies, csrf, pdf_of_size(200_000))  # warm-up: imports, connections
        before = _status(worker, "VmRSS")
        seconds = time.perf_counter()
        status = _post(port, path, cookies, csrf, pdf_of_size(10 * 1024 * 1024))
        seconds = time.perf_counter() - seconds
        growth = (_status(worker, "VmHWM") - before) / 1024
    finally:
        server.terminate()
        server.wait(timeout=20)
    stored = registration.pieces.get(piece_kind__code="identity").files.count()
    return [
        Row("téléversement de 10 Mo : croissance du processus web", f"{growth:.1f} Mo", f"< {TARGET_MB} Mo", "",
            growth < TARGET_MB and status == 200 and stored == 2),
        Row("téléversement de 10 Mo : durée de la requête (boucle locale)", f"{seconds * 1000:.0f} ms"),
    ]


def _post(port, path, cookies, csrf, content):
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"scan.pdf\"\r\n"
            "Content-Type: application/pdf\r\n\r\n").encode()
    body = head + content + f"\r\n--{boundary}--\r\n".encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("POST", path, body=body, headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Cookie": cookies, "X-CSRFToken": csrf,
        "X-Requested-With": "XMLHttpRequest", "Host": "127.0.0.1"})
    response = connection.getresponse()
    response.read()
    return response.status


def _worker_pid(master):
    for _ in range(50):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("no gunicorn worker")


def _status(pid, key):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1])
    raise KeyError(key)
