"""The antivirus verdict on each stored file (clamd, through documents/antivirus.py): queued after
the upload commits, recorded once, an infected file deleted and its piece sent back."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.outbox import email_send
from documents import antivirus
from documents.completeness import registration_refresh_missing
from documents.models import Piece, PieceFile, PieceStatus, ScanStatus
from documents.review import replacement_deadline
from documents.tasks import scan_piece_file as scan_piece_file_task
from exams.models import Registration
from exams.services import registration_for_update

logger = logging.getLogger(__name__)


def files_queue_scan(file_ids):
    """Queue the antivirus scan of these files once the transaction that stored them commits."""
    for file_id in file_ids:
        transaction.on_commit(lambda file_id=file_id: scan_piece_file_task.delay(file_id))


def piece_file_scan(*, file_id, at=None):
    """Scan one stored file with clamd and record the verdict, once: a file no longer pending is
    left as it is, so a task delivered twice scans at most twice and decides once.

    Returns the verdict, or None when there was nothing to scan. Raises ScanUnavailable when
    clamd does not answer: the file stays pending for a retry or the nightly requeue.
    """
    at = at or timezone.now()
    piece_file = PieceFile.objects.filter(pk=file_id, scan_status=ScanStatus.PENDING).first()
    if piece_file is None:
        return None
    with piece_file.file.open("rb") as stream:
        verdict = antivirus.scan(stream)
    if verdict.infected:
        piece_file_quarantine(piece_file=piece_file, signature=verdict.signature, at=at)
    else:
        PieceFile.objects.filter(pk=file_id, scan_status=ScanStatus.PENDING).update(scan_status=ScanStatus.CLEAN, scanned_at=at)
    return verdict


def piece_file_quarantine(*, piece_file, signature, at):
    """An infected file: its content is deleted at once (never served, never shown to staff), the
    piece goes back to the candidate to replace, and the candidate is emailed, once."""
    with transaction.atomic():
        # The registration's row before the file's, the order every write takes: a removal of this
        # file under way waits here instead of deadlocking with it.
        registration_pk = Piece.objects.filter(pk=piece_file.piece_id).values_list("registration_id", flat=True).first()
        if registration_pk is None:  # the candidate removed it meanwhile
            return False
        registration_for_update(Registration(pk=registration_pk))
        marked = PieceFile.objects.filter(pk=piece_file.pk, scan_status=ScanStatus.PENDING).update(
            scan_status=ScanStatus.INFECTED, scan_signature=signature[:200], scanned_at=at, file="")
        if not marked:
            return False
        stored_name = piece_file.file.name
        transaction.on_commit(lambda: piece_file.file.storage.delete(stored_name))
        piece = Piece.objects.select_for_update().select_related("registration__candidate", "registration__session",
                                                                 "piece_kind").get(pk=piece_file.piece_id)
        registration = piece.registration
        piece.status = PieceStatus.TO_REPLACE
        piece.review_reason = _("l'antivirus a détecté une menace dans le fichier « %(name)s », qui a été supprimé. "
                                "Déposez un autre fichier.") % {"name": piece_file.original_name}
        piece.replace_until = replacement_deadline(registration.session, at)
        piece.reviewed_at, piece.reviewed_by = None, None
        piece.save()
        registration_refresh_missing(registration)
        email_send(user=registration.candidate, template="piece_infected",
                   context={"piece": piece, "registration": registration, "file_name": piece_file.original_name},
                   event_key=f"piece-infected:{piece_file.pk}")
    logger.warning("antivirus: file %s of piece %s infected (%s), deleted", piece_file.pk, piece.pk, signature)
    return True


def files_requeue_unscanned(*, at=None, older_than=None):
    """The nightly sweep: queue again the scans that never finished (a lost task, clamd down) and,
    once scanning is on, the files stored while it was off. Returns how many were queued."""
    if not antivirus.scanning_enabled():
        return 0
    at = at or timezone.now()
    older_than = older_than if older_than is not None else timedelta(minutes=30)
    with transaction.atomic():
        # Files stored while scanning was off are queued whatever their age: once pending, a file
        # is served to nobody until its verdict.
        unscanned = list(PieceFile.objects.select_for_update().filter(scan_status=ScanStatus.UNSCANNED)
                         .values_list("pk", flat=True))
        PieceFile.objects.filter(pk__in=unscanned).update(scan_status=ScanStatus.PENDING)
        stale = PieceFile.objects.filter(scan_status=ScanStatus.PENDING, uploaded_at__lte=at - older_than).exclude(pk__in=unscanned)
        ids = unscanned + list(stale.values_list("pk", flat=True))
        files_queue_scan(ids)
    return len(ids)
