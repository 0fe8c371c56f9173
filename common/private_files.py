"""Responses that carry a private file: a candidate's piece, a PDF made for them, a preview for staff.

The headers are written here once. Every such response is:
- `Cache-Control: private, no-store`: no proxy or browser cache keeps a copy;
- `X-Content-Type-Options: nosniff`: the browser takes the declared type, never guesses a page;
- a download (`attachment`) with the name the person knows, except the staff preview, which is
  shown inline in a sandbox that runs nothing (`Content-Security-Policy: sandbox`).
With `PRIVATE_FILES_X_ACCEL_PREFIX` set, nginx sends the stored file (`X-Accel-Redirect`) and the
worker is free at once; without it, Django streams it.
"""

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

PREVIEW_POLICY = "sandbox; default-src 'none'; img-src 'self'; object-src 'self'"


def _private(response, *, filename=None, inline=False):
    response["Content-Disposition"] = "inline" if inline else content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if inline:
        response["Content-Security-Policy"] = PREVIEW_POLICY
    return response


def private_file_response(field_file, filename, content_type):
    """A stored file, as a download named `filename`."""
    prefix = settings.PRIVATE_FILES_X_ACCEL_PREFIX
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + field_file.name
    else:
        response = FileResponse(field_file.open("rb"), content_type=content_type)
    return _private(response, filename=filename)


def private_stream_response(stream, filename, content_type):
    """An open file made for this request (the « Mes données » ZIP), streamed as a download."""
    return _private(FileResponse(stream, content_type=content_type), filename=filename)


def private_bytes_response(content, filename, content_type="application/pdf"):
    """Bytes made for this request (a relevé de notes), as a download named `filename`."""
    return _private(HttpResponse(content, content_type=content_type), filename=filename)


def private_preview_response(field_file, content_type):
    """A stored file shown inside a staff page: inline, sandboxed, never run as a page."""
    return _private(FileResponse(field_file.open("rb"), content_type=content_type), inline=True)
