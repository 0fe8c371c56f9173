"""A piece's file reaches staff only with the permission to view pieces' files (and the second factor)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from documents.pieces import piece_upload
from tests.documents.files import pdf_bytes, upload
from tests.factories import StaffFactory, paris
from tests.portal.helpers import log_in_with_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def piece_file(registration):
    kind = registration.session.requirements.get(piece_kind__code="identity").piece_kind
    return piece_upload(registration=registration, piece_kind=kind, uploads=[upload("carte.pdf", pdf_bytes())],
                        at=paris(2023, 11, 1))[0]


def test_a_staff_member_without_the_view_permission_cannot_download_a_candidates_file(client, piece_file):
    log_in_with_second_factor(client, StaffFactory())
    assert client.get(reverse("documents:file", args=[piece_file.pk])).status_code == 404


def test_a_staff_member_with_the_view_permission_downloads_it(client, piece_file):
    agent = StaffFactory()
    agent.user_permissions.add(Permission.objects.get(codename="view_piecefile", content_type__app_label="documents"))
    log_in_with_second_factor(client, agent)
    response = client.get(reverse("documents:file", args=[piece_file.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
