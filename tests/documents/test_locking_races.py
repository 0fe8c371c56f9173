"""The lock cannot race (issue 13, item 6).

Every write to a registration or its pieces takes the registration's row lock and checks its
guard again on the row read under it (`exams.services.registration_for_update`). The race tests
run real threads against PostgreSQL, 50 rounds each, with the critical part slowed by a few
milliseconds so that the window is real; the unit tests pin each re-check down.
"""

import random
import threading
import time
from collections import Counter

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.storage import FileSystemStorage
from django.db import connection, transaction
from django.http.multipartparser import MultiPartParser
from django.urls import reverse
from django.utils import timezone

from candidates.models import Message
from documents import completeness, locking, pieces, review, scanning
from documents.completeness import RegistrationIncomplete, missing_pieces
from documents.locking import registration_finalize
from documents.models import Piece, PieceFile, PieceKind, PieceStatus
from documents.pieces import piece_file_delete, piece_upload
from documents.requirements import required_pieces
from documents.review import piece_review
from exams.models import Registration
from exams.services import RegistrationNotEditable, registration_for_update, registration_save
from tests.documents.files import pdf_bytes, upload
from tests.documents.helpers import stored_files
from tests.factories import RegistrationFactory, StaffFactory, UserFactory, paris

ROUNDS = 50
OPEN = paris(2023, 11, 1, 10)
PDF = pdf_bytes()


@pytest.fixture(autouse=True)
def _fast_password_hashes(settings):
    """Each round makes a candidate: Argon2id's 100 ms each would be most of the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def complete_registration(at=OPEN):
    registration = RegistrationFactory(candidate=UserFactory())
    for required in required_pieces(registration):
        piece_upload(registration=registration, piece_kind=required.kind, uploads=[upload("piece.pdf", PDF)], at=at)
    return registration


def stored_names(media):
    return {path.relative_to(media).as_posix() for path in stored_files(media)}


def race(*actions):
    """Run the actions in threads started together (each named after its action); each result or
    refusal, in order. Any other error (a deadlock, say) fails the test."""
    barrier, results = threading.Barrier(len(actions)), [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait()
            results[index] = action()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, action), name=action.__name__) for i, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r for r in results if isinstance(r, Exception) and not isinstance(r, PermissionDenied)] == []
    return results


def jitter(milliseconds):
    time.sleep(random.uniform(0, milliseconds) / 1000)


def fresh(registration):
    """What a request reads: the registration as it is when the request starts."""
    return Registration.objects.get(pk=registration.pk)


@pytest.mark.django_db(transaction=True)
def test_a_lock_racing_the_removal_of_a_required_piece_never_ends_locked_with_the_piece_missing(
        reference_data, private_media, monkeypatch):
    real_missing_pieces = completeness.missing_pieces

    def slow_missing_pieces(*args, **kwargs):  # the time between "everything is there" and the lock
        missing = real_missing_pieces(*args, **kwargs)
        time.sleep(0.005)
        return missing

    outcomes = Counter()
    for _ in range(ROUNDS):
        registration = complete_registration()
        last_file = PieceFile.objects.get(piece__registration=registration, piece__piece_kind__code="identity")
        with monkeypatch.context() as patch:
            patch.setattr(completeness, "missing_pieces", slow_missing_pieces)

            def remove(registration=registration, last_file=last_file):  # this round's rows
                jitter(10)
                return piece_file_delete(registration=fresh(registration), piece_file=last_file, at=OPEN)

            def lock(registration=registration):
                jitter(10)
                return registration_finalize(registration=fresh(registration), at=OPEN)

            locked, removed = race(lock, remove)
        registration.refresh_from_db()
        assert not (registration.status == "locked" and missing_pieces(registration)), "locked with a piece missing"
        assert (locked is True) != (removed is True), (locked, removed)  # exactly one of them won
        assert stored_names(private_media) == set(PieceFile.objects.values_list("file", flat=True))
        outcomes["locked" if locked is True else "removed"] += 1
    print(f"lock against removal, {ROUNDS} rounds: {dict(outcomes)}")


@pytest.mark.django_db(transaction=True)
def test_a_lock_racing_an_upload_never_ends_with_a_file_after_the_lock_nor_a_file_without_its_row(
        reference_data, private_media, monkeypatch):
    real_save, stored_at = FileSystemStorage._save, {}

    def slow_save(storage, name, content):  # a slow disk or object store
        time.sleep(0.005)
        name = real_save(storage, name, content)
        stored_at[name] = timezone.now()
        return name

    real_missing_pieces, seen = completeness.missing_pieces, {}

    def missing_pieces_seen_by_the_lock(registration, *args, **kwargs):
        if threading.current_thread().name == "lock":
            seen["files"] = set(PieceFile.objects.filter(piece__registration=registration).values_list("pk", flat=True))
        return real_missing_pieces(registration, *args, **kwargs)

    monkeypatch.setattr(FileSystemStorage, "_save", slow_save)
    identity, outcomes = PieceKind.objects.get(code="identity"), Counter()
    for _ in range(ROUNDS):
        registration = complete_registration()
        locked_by = {}

        def lock(registration=registration, locked_by=locked_by):  # this round's rows
            jitter(10)
            done = registration_finalize(registration=fresh(registration), at=OPEN)
            locked_by["done"] = timezone.now()  # the lock has committed by now
            return done

        def send_another_file(registration=registration):
            return piece_upload(registration=fresh(registration), piece_kind=identity,
                                uploads=[upload("verso.pdf", PDF)], at=OPEN)

        with monkeypatch.context() as patch:
            patch.setattr(completeness, "missing_pieces", missing_pieces_seen_by_the_lock)
            locked, uploaded = race(lock, send_another_file)
        registration.refresh_from_db()
        assert locked is True  # complete from the start: the lock always succeeds
        files = set(PieceFile.objects.filter(piece__registration=registration).values_list("pk", flat=True))
        assert files == seen["files"], "locked with a file its checks did not see"
        late = [f.file.name for f in PieceFile.objects.filter(piece__registration=registration)
                if f.file.name in stored_at and stored_at[f.file.name] > locked_by["done"]]
        assert late == [], "a file stored after the lock"
        assert stored_names(private_media) == set(PieceFile.objects.values_list("file", flat=True)), "a file without its row"
        outcomes["upload first" if isinstance(uploaded, list) else "lock first, upload refused"] += 1
    print(f"lock against upload, {ROUNDS} rounds: {dict(outcomes)}")


def identity_file(registration):
    return PieceFile.objects.filter(piece__registration=registration, piece__piece_kind__code="identity").first()


def remove_identity(registration):
    return piece_file_delete(registration=registration, piece_file=identity_file(registration), at=OPEN)


def send_identity(registration, at=OPEN):
    return piece_upload(registration=registration, piece_kind=PieceKind.objects.get(code="identity"),
                        uploads=[upload("verso.pdf", PDF)], at=at)


def finalize(registration):
    return registration_finalize(registration=registration, at=OPEN)


def refused(kind):
    return lambda outcome, registration: isinstance(outcome, kind)


def mark_identity_pending(registration):
    PieceFile.objects.filter(pk=identity_file(registration).pk).update(scan_status="pending")


# For each write: what another request does while it holds the registration's row lock, the
# write itself, and what it must then do, having checked again on the row as that request left it.
# (setup, competing write, write, expected)
WRITES = {
    "finalize, while the last file of a piece is removed": (
        None, remove_identity, finalize,
        lambda outcome, r: isinstance(outcome, RegistrationIncomplete) and r.status == "draft"),
    "upload, while the candidate locks": (
        None, finalize, send_identity, refused(pieces.UploadOvertaken)),
    "file delete, while the candidate locks": (
        None, finalize, remove_identity, lambda outcome, r: isinstance(outcome, RegistrationNotEditable) and identity_file(r)),
    "step save, while the candidate locks": (
        None, finalize, lambda r: registration_save(registration=r, values={"language": "italien"}, at=OPEN),
        refused(RegistrationNotEditable)),
    "staff edit, while the candidate saves a step": (
        None, lambda r: registration_save(registration=r, values={"language": "espagnol"}, at=OPEN),
        lambda r: registration_save(registration=r, values={"language": "italien"}, by_staff=True),
        lambda outcome, r: outcome == ["language"] and r.version == 3 and r.language == "italien"),
    "staff review, while the candidate removes the piece": (
        None, remove_identity,
        lambda r: piece_review(piece=Piece.objects.get(registration=r, piece_kind__code="identity"), accept=True,
                               by=StaffFactory(), at=OPEN),
        refused(review.ReviewRefused)),
    "deadline, while an upload started at 16:59:59 commits": (
        remove_identity, lambda r: send_identity(r, at=paris(2023, 11, 15, 16, 59, 59)),
        lambda r: locking.close_registrations(at=paris(2023, 11, 15, 17, 16)),
        lambda outcome, r: r.status == "locked"),
    "antivirus verdict, while the candidate removes the file": (
        mark_identity_pending, remove_identity,
        lambda r: scanning.piece_file_quarantine(piece_file=identity_file(r), signature="Eicar-Signature", at=OPEN),
        lambda outcome, r: outcome is False and identity_file(r) is None),
}


def write_under_a_held_lock(setup, competing, write, hold=0.2):
    """Run `write` while another request holds the registration's row lock and, just before it
    commits, makes its `competing` write; return what `write` gave and the registration after."""
    registration = complete_registration()
    if setup:
        setup(registration)
    held, errors = threading.Event(), []

    def hold_the_lock():
        try:
            with transaction.atomic():
                registration_for_update(registration)
                held.set()
                time.sleep(hold)
                competing(fresh(registration))
        except Exception as error:  # a deadlock would show here
            errors.append(error)
        finally:
            held.set()
            connection.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    held.wait()
    try:
        outcome = write(fresh(registration))
    except PermissionDenied as refusal:
        outcome = refusal
    holder.join()
    assert errors == []
    return outcome, fresh(registration)


@pytest.mark.django_db(transaction=True)
def test_every_write_to_a_registration_checks_again_once_it_holds_the_row_lock(reference_data, private_media):
    wrong = []
    for name, (setup, competing, write, expected) in WRITES.items():
        outcome, registration = write_under_a_held_lock(setup, competing, write)
        if not expected(outcome, registration):
            wrong.append(f"{name}: {outcome!r}")
    assert wrong == []


@pytest.mark.django_db
def test_an_upload_that_finishes_after_the_candidates_own_lock_is_refused(logged_in, candidate, private_media, monkeypatch):
    registration = RegistrationFactory(candidate=candidate)
    for required in required_pieces(registration):
        piece_upload(registration=registration, piece_kind=required.kind, uploads=[upload("piece.pdf", PDF)], at=OPEN)
    real_prepare = pieces.prepare_uploads

    def lock_while_it_streams(*args, **kwargs):  # the candidate clicks « J'ai fourni toutes mes pièces » meanwhile
        assert registration_finalize(registration=fresh(registration), at=OPEN)
        return real_prepare(*args, **kwargs)

    monkeypatch.setattr(pieces, "prepare_uploads", lock_while_it_streams)
    with time_machine.travel(OPEN, tick=False):
        response = logged_in.post(reverse("documents:upload", args=[registration.pk, "identity"]),
                                  {"files": [upload("verso.pdf", PDF)]}, headers={"X-Requested-With": "XMLHttpRequest"})
    assert response.status_code == 400
    assert response.json()["message"] == ("Votre inscription a été validée définitivement pendant l'envoi de ce fichier : "
                                          "il n'a pas été enregistré.")
    assert fresh(registration).status == "locked"
    assert PieceFile.objects.filter(piece__registration=registration, piece__piece_kind__code="identity").count() == 1
    assert stored_names(private_media) == set(PieceFile.objects.values_list("file", flat=True))


@pytest.mark.django_db
def test_an_upload_that_arrived_before_the_deadline_keeps_its_time(logged_in, candidate, monkeypatch):
    registration = RegistrationFactory(candidate=candidate)
    arrived, finished = paris(2023, 11, 15, 16, 59, 59), paris(2023, 11, 15, 17, 0, 30)
    real_parse = MultiPartParser.parse
    with time_machine.travel(arrived, tick=False) as clock:
        def slow_stream(parser):  # the body's last byte comes 31 seconds later, after the deadline
            clock.move_to(finished)
            return real_parse(parser)

        monkeypatch.setattr(MultiPartParser, "parse", slow_stream)
        response = logged_in.post(reverse("documents:upload", args=[registration.pk, "identity"]),
                                  {"files": [upload("carte.pdf", PDF)]})
        assert timezone.now() == finished
    assert response.status_code == 302
    piece = Piece.objects.get(registration=registration, piece_kind__code="identity")
    assert piece.updated_at == arrived
    assert [f.uploaded_at for f in piece.files.all()] == [arrived]


@pytest.mark.django_db
def test_finalize_rechecks_completeness_inside_the_lock(candidate, monkeypatch):
    registration = RegistrationFactory(candidate=candidate)
    for required in required_pieces(registration):
        piece_upload(registration=registration, piece_kind=required.kind, uploads=[upload("piece.pdf", PDF)], at=OPEN)
    real_lock = locking.registration_for_update

    def removal_commits_just_before_the_lock(row):
        Piece.objects.filter(registration=row, piece_kind__code="identity").delete()
        return real_lock(row)

    monkeypatch.setattr(locking, "registration_for_update", removal_commits_just_before_the_lock)
    with pytest.raises(RegistrationIncomplete, match="Pièce d'identité"):
        registration_finalize(registration=fresh(registration), at=OPEN)
    assert fresh(registration).status == "draft" and fresh(registration).locked_at is None


@pytest.mark.django_db
def test_staff_review_decides_on_the_piece_as_it_is_under_the_lock(candidate, staff, monkeypatch):
    registration = RegistrationFactory(candidate=candidate)
    piece_upload(registration=registration, piece_kind=PieceKind.objects.get(code="identity"),
                 uploads=[upload("carte.pdf", PDF)], at=OPEN)
    seen = Piece.objects.get(registration=registration)  # what the staff member's page loaded
    real_lock = review.registration_for_update

    def another_agent_decides_first(row):
        Piece.objects.filter(pk=seen.pk).update(status=PieceStatus.ACCEPTED)
        return real_lock(row)

    monkeypatch.setattr(review, "registration_for_update", another_agent_decides_first)
    with pytest.raises(review.ReviewRefused, match="déjà été contrôlée"):
        piece_review(piece=seen, accept=False, comment="Illisible", by=staff, at=OPEN)
    assert not Message.objects.filter(event_key__startswith="piece-to-replace:").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("failure", ["storage", "rows"])
def test_an_upload_that_fails_after_storing_leaves_no_file_and_no_row(candidate, private_media, monkeypatch, failure):
    registration = RegistrationFactory(candidate=candidate)
    if failure == "storage":  # the second file cannot be written
        real_save, calls = FileSystemStorage._save, []

        def second_save_fails(storage, name, content):
            calls.append(name)
            if len(calls) == 2:
                raise OSError("disque plein")
            return real_save(storage, name, content)

        monkeypatch.setattr(FileSystemStorage, "_save", second_save_fails)
    else:  # the transaction that creates the rows fails
        monkeypatch.setattr(pieces, "registration_refresh_missing", lambda r: 1 / 0)
    with pytest.raises((OSError, ZeroDivisionError)):
        piece_upload(registration=registration, piece_kind=PieceKind.objects.get(code="identity"),
                     uploads=[upload("recto.pdf", PDF), upload("verso.pdf", PDF)], at=OPEN)
    assert not PieceFile.objects.exists() and not Piece.objects.exists()
    assert stored_files(private_media) == []
