"""A candidate's pages read a fixed number of rows whatever the dossier holds: no page runs one
query per piece, file, message, épreuve or mark (the N+1 fault). Each page is measured twice,
on a small dossier and on a large one, after a first visit has filled the caches."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from documents.models import PieceStatus
from documents.requirements import required_pieces
from exams.models import RegistrationStatus
from tests.factories import (
    ConvocationFactory,
    EpreuveFactory,
    ExamSlotFactory,
    MarkFactory,
    MessageFactory,
    PieceFactory,
    PieceFileFactory,
    RegistrationFactory,
    paris,
)

pytestmark = pytest.mark.django_db

DURING_THE_WINDOW = paris(2023, 11, 1, 10)
AFTER_THE_CONVOCATIONS = paris(2024, 4, 2, 10)


def dossier(size, *, locked):
    """A registration with `size` files per piece, `size` messages and, once locked, `size`
    épreuves with a slot and a mark each, one piece to replace and a convocation."""
    registration = RegistrationFactory(status=RegistrationStatus.LOCKED if locked else RegistrationStatus.DRAFT)
    kinds = [required.kind for required in required_pieces(registration)]
    for index, kind in enumerate(kinds[:size] if size == 1 else kinds):
        piece = PieceFactory(registration=registration, piece_kind=kind,
                             status=PieceStatus.TO_REPLACE if locked and index == 0 else PieceStatus.RECEIVED,
                             review_reason="Le verso manque." if locked and index == 0 else "")
        for _ in range(size):
            PieceFileFactory(piece=piece)
    for _ in range(size):
        MessageFactory(recipient=registration.candidate)
    if locked:
        registration.session.results_published_at = paris(2024, 3, 1)  # « Mes résultats » shows them all
        registration.session.save()
        for _ in range(size):
            epreuve = EpreuveFactory(specialty=registration.specialty)
            ExamSlotFactory(epreuve=epreuve)
            MarkFactory(registration=registration, epreuve=epreuve)
        ConvocationFactory(registration=registration)
    return registration


CANDIDATE_PAGES = [
    ("home", False), ("documents:overview", True), ("documents:mine", True), ("documents:pieces", True),
    ("documents:status", True), ("exams:convocations", False), ("exams:results", True), ("candidates:inbox", False),
    ("candidates:account", False), ("my-data", False),
]


def queries_of(client, registration, url_name, with_pk, at):
    url = reverse(url_name, args=[registration.pk] if with_pk else [])
    client.force_login(registration.candidate)
    with time_machine.travel(at, tick=False):
        assert client.get(url).status_code == 200  # the first visit fills the caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
    return [query["sql"] for query in queries]


@pytest.mark.parametrize(("url_name", "with_pk"), CANDIDATE_PAGES)
@pytest.mark.parametrize(("locked", "at"), [(False, DURING_THE_WINDOW), (True, AFTER_THE_CONVOCATIONS)], ids=["draft", "locked"])
def test_a_candidate_page_reads_as_many_rows_for_a_large_dossier_as_for_a_small_one(client, url_name, with_pk, locked, at):
    small = queries_of(client, dossier(1, locked=locked), url_name, with_pk, at)
    large = queries_of(client, dossier(4, locked=locked), url_name, with_pk, at)
    assert len(large) == len(small), "\n".join(large)


STAFF_LISTS = ["admin:exams_registration_changelist", "admin:documents_piece_changelist", "admin:candidates_user_changelist",
               "admin:candidates_message_changelist", "admin:exams_mark_changelist", "admin:exams_convocation_changelist",
               "admin-dashboard"]


def staff_queries(client, url):
    client.get(url)  # the first visit fills the caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in queries]


@pytest.mark.parametrize("url_name", STAFF_LISTS)
def test_a_staff_list_reads_as_many_rows_for_many_dossiers_as_for_one(client, staff, url_name):
    from tests.portal.helpers import log_in_with_second_factor

    log_in_with_second_factor(client, staff)
    dossier(2, locked=True)
    one = staff_queries(client, reverse(url_name))
    for _ in range(3):
        dossier(2, locked=True)
    many = staff_queries(client, reverse(url_name))
    assert len(many) == len(one), "\n".join(many)


@pytest.mark.parametrize("url_name", ["admin:exams_registration_change", "admin:documents_piece_review"])
def test_a_dossier_opened_by_staff_reads_as_many_rows_whatever_it_holds(client, staff, url_name):
    from tests.portal.helpers import log_in_with_second_factor

    log_in_with_second_factor(client, staff)
    counts = []
    for size in (1, 4):
        registration = dossier(size, locked=True)
        target = registration if url_name.startswith("admin:exams") else registration.pieces.order_by("pk").first()
        counts.append(staff_queries(client, reverse(url_name, args=[target.pk])))
    assert len(counts[1]) == len(counts[0]), "\n".join(counts[1])
