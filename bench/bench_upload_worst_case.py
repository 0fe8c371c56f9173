"""Hostile uploads through gunicorn: how much one web worker grows, and how much CPU it spends,
on each of a set of files made to exhaust it (issue 13, item 4).

Each upload (one file, or as many as one upload may carry) is sent to the real upload URL of a
new worker that has served one ordinary upload; before the request the worker's peak resident
memory is reset (`/proc/<pid>/clear_refs`), so its VmHWM afterwards is that request's peak; CPU is
the worker's user + system time for it. tests/documents/test_upload_limits.py counts the work
these files cost (objects read, bytes inflated, pixels decoded); this bench times it.
"""

import io
import os
import uuid
from pathlib import Path

from bench.common import Row, one_gunicorn_worker, pdf_of_size, process_status, upload_candidate

PROJECT = Path(__file__).resolve().parent.parent
MEMORY_TARGET_MB = 150
CPU_TARGET_SECONDS = 2


def hostile_files():
    """(label, piece kind, files, combine, expected status): each made small, and to cost much."""
    from documents.uploads import MAX_FILES_PER_UPLOAD
    from tests.documents import files

    big_png, big_jpeg = files.huge_png(12000, 12000), files.jpeg_claiming(12000, 12000)
    png_at_limit, phone_photo = files.huge_png(4800, 5000), files.photo_jpeg(8160, 6120)
    photo_24_mpx, chained_with_script = files.photo_jpeg(6000, 4000), files.chained_pdf_with_script(6000)
    ten = range(MAX_FILES_PER_UPLOAD)  # the most files one upload may carry
    return [
        ("PNG 12000×12000 (440 Ko)", "identity", [("photo.png", big_png)], False, 400),
        ("JPEG 12000×12000", "identity", [("photo.jpg", big_jpeg)], False, 400),
        ("« Assembler » 2 PNG 12000×12000", "identity", [("recto.png", big_png), ("verso.png", big_png)], True, 400),
        ("PNG 24 Mpx (la limite)", "identity", [("scan.png", png_at_limit)], False, 200),
        ("« Assembler » 2 PNG 24 Mpx", "identity", [("recto.png", png_at_limit), ("verso.png", png_at_limit)], True, 200),
        ("JPEG 50 Mpx (photo de téléphone)", "identity", [("photo.jpg", phone_photo)], False, 200),
        ("« Assembler » 2 JPEG 50 Mpx", "identity", [("recto.jpg", phone_photo), ("verso.jpg", phone_photo)], True, 200),
        ("« Assembler » 10 PNG 24 Mpx", "identity", [(f"page-{n}.png", png_at_limit) for n in ten], True, 400),
        ("« Assembler » 10 JPEG 24 Mpx", "identity", [(f"page-{n}.jpg", photo_24_mpx) for n in ten], True, 200),
        ("JPEG progressif 12 Mpx 4:4:4", "identity", [("photo.jpg", files.photo_jpeg(4000, 3000, progressive=True, subsampling=0))], False, 200),
        ("PDF à flux partagé (confirmation)", "confirmation", [("confirmation.pdf", files.shared_stream_pdf())], False, 200),
        ("PDF imbriqué (arbre de 1000 niveaux)", "identity", [("dossier.pdf", files.nested_pdf())], False, 400),
        ("PDF de 5000 pages", "identity", [("dossier.pdf", files.many_pages_pdf(5000))], False, 400),
        ("PDF de 5000 pages, /Count 1", "identity", [("dossier.pdf", files.many_pages_pdf(5000, declared=1))], False, 400),
        ("PDF de 150 000 objets chaînés", "identity", [("dossier.pdf", files.chained_pdf(150_000))], False, 400),
        ("PDF de 150 000 objets chaînés, /Size mensonger", "identity",
         [("dossier.pdf", files.chained_pdf(150_000).replace(b"/Size 150004", b"/Size 10"))], False, 400),
        ("10 PDF de 6000 objets chaînés avec JavaScript", "identity",
         [(f"scan-{n}.pdf", chained_with_script) for n in ten], False, 400),
        ("CERFA à remplir avec JavaScript", "identity", [("cerfa.pdf", files.fillable_cerfa_with_javascript())], False, 200),
        ("PDF de 10 Mo avec JavaScript", "identity", [("scan.pdf", _large_pdf_with_javascript())], False, 200),
    ]


def _large_pdf_with_javascript():
    """A 10 MB scan-like PDF that runs a script when opened: its copy must be written whole."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_of_size(10 * 1024 * 1024 - 4096))))
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('ouverture');")})
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def run():
    registration, cookies, csrf = upload_candidate(year=2198, email="bench-worst@exemple.fr")
    path = f"/inscription/{registration.pk}/justificatifs/%s/deposer/"
    rows = []
    for label, kind, files, combine, expected in hostile_files():
        with one_gunicorn_worker() as (port, worker):  # a new worker for each file: freed memory stays in its heap
            _post(port, path % "identity", cookies, csrf, [("scan.pdf", pdf_of_size(200_000))], False)  # warm-up
            Path(f"/proc/{worker}/clear_refs").write_text("5")  # VmHWM back to the current size
            before, cpu = process_status(worker, "VmRSS"), _cpu_seconds(worker)
            status = _post(port, path % kind, cookies, csrf, files, combine)
            growth, cpu = (process_status(worker, "VmHWM") - before) / 1024, _cpu_seconds(worker) - cpu
        answer = {200: "accepté", 400: "refusé"}.get(status, f"HTTP {status}")
        rows.append(Row(f"upload_worst_case : {label}", f"{growth:.0f} Mo, {cpu:.2f} s CPU, {answer}",
                        f"< {MEMORY_TARGET_MB} Mo, < {CPU_TARGET_SECONDS} s", "",
                        growth < MEMORY_TARGET_MB and cpu < CPU_TARGET_SECONDS and status == expected))
    return rows


def _post(port, path, cookies, csrf, files, combine):
    import http.client

    boundary = uuid.uuid4().hex
    body = bytearray()
    for name, content in files:
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n"
                 "Content-Type: application/octet-stream\r\n\r\n").encode() + content + b"\r\n"
    if combine:
        body += f"--{boundary}\r\nContent-Disposition: form-data; name=\"combine\"\r\n\r\non\r\n".encode()
    body += f"--{boundary}--\r\n".encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("POST", path, body=bytes(body), headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Cookie": cookies, "X-CSRFToken": csrf,
        "X-Requested-With": "XMLHttpRequest", "Host": "127.0.0.1"})
    response = connection.getresponse()
    response.read()
    return response.status


def _cpu_seconds(pid):
    """User + system CPU time of a process so far (fields 14 and 15 of /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
