"""An upload is judged on when its request reached the portal, through the whole HTTP stack.

The clock moves while the body is read, as on a slow connection: the request arrives at
16:59:59 and its last byte at 17:00:02, after the deadline of 17:00. CSRF checks are on, as in
production, so the body is read by CsrfViewMiddleware, before the view runs.
"""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadhandler import FileUploadHandler
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from documents.models import PieceFile
from tests.documents.files import pdf_bytes, upload
from tests.factories import paris

pytestmark = pytest.mark.django_db

ARRIVES = paris(2023, 11, 15, 16, 59, 59)
BODY_TAKES = timedelta(seconds=3)
clock = {}


class SlowConnection(FileUploadHandler):
    """Moves the frozen clock on by BODY_TAKES while the first file's bytes come in."""

    def receive_data_chunk(self, raw_data, start):
        if not clock.get("moved"):
            clock["traveller"].shift(BODY_TAKES)
            clock["moved"] = True
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handlers keep the file


@pytest.fixture
def slow_connection(settings):
    settings.FILE_UPLOAD_HANDLERS = ["tests.documents.test_upload_deadline_http.SlowConnection",
                                     "django.core.files.uploadhandler.MemoryFileUploadHandler",
                                     "django.core.files.uploadhandler.TemporaryFileUploadHandler"]
    clock.clear()
    yield clock
    clock.clear()


def test_an_upload_that_arrived_at_16_59_59_and_finished_at_17_00_02_is_accepted(candidate, registration, slow_connection):
    client = Client(enforce_csrf_checks=True)
    client.force_login(candidate)
    with time_machine.travel(ARRIVES - timedelta(minutes=1), tick=False):
        client.get(reverse("documents:pieces", args=[registration.pk]))  # the page, and its CSRF cookie
    with time_machine.travel(ARRIVES, tick=False) as traveller:
        slow_connection["traveller"] = traveller
        response = client.post(reverse("documents:upload", args=[registration.pk, "identity"]),
                               {"files": [upload("id.pdf", pdf_bytes())], "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
                               headers={"X-Requested-With": "XMLHttpRequest"})
        finished = timezone.now()
    assert slow_connection.get("moved") and finished == ARRIVES + BODY_TAKES  # the body did end after 17:00
    assert response.status_code == 200, response.content
    assert response.json()["ok"] is True
    assert PieceFile.objects.filter(piece__registration=registration).count() == 1
