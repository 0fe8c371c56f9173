"""A 10 MB upload through gunicorn: how much the web process grows while it handles it.

Django writes uploads over 2.5 MB to a temporary file and the checks read them by chunks, so
the worker's peak resident memory (VmHWM) should grow by far less than the file's size.
"""

import http.client
import time
import uuid
from pathlib import Path

from bench.common import Row, one_gunicorn_worker, pdf_of_size, process_status, upload_candidate

PROJECT = Path(__file__).resolve().parent.parent
TARGET_MB = 30


def run():
    registration, cookies, csrf = upload_candidate(year=2199, email="bench-upload@exemple.fr")
    with one_gunicorn_worker() as (port, worker):
        path = f"/inscription/{registration.pk}/justificatifs/identity/deposer/"
        _post(port, path, cookies, csrf, pdf_of_size(200_000))  # warm-up: imports, connections
        before = process_status(worker, "VmRSS")
        seconds = time.perf_counter()
        status = _post(port, path, cookies, csrf, pdf_of_size(10 * 1024 * 1024))
        seconds = time.perf_counter() - seconds
        growth = (process_status(worker, "VmHWM") - before) / 1024
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
