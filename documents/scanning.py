"""What workers decide on each stored file, queued after the upload commits and recorded once:
the antivirus verdict (clamd, through documents/antivirus.py), an infected file deleted and its
piece sent back; and the end of the reading of a signed confirmation's QR code that the upload
request left unfinished (documents/signed_copies.py), another registration's copy withdrawn."""

import logging
from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.outbox import email_send
from candidates.tokens import absolute_url
from documents import antivirus
from documents.completeness import registration_refresh_missing
from documents.models import Piece, PieceFile, PieceStatus, QrReading, ScanStatus
from documents.qr_reading import read_confirmation
from documents.review import replacement_deadline
from documents.signed_copies import NotThisConfirmation, reading_fields
from documents.tasks import read_signed_copy as read_signed_copy_task
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
    reason = _("l'antivirus a détecté une menace dans le fichier « %(name)s », qui a été supprimé. "
               "Déposez un autre fichier.") % {"name": piece_file.original_name}

    def mark():  # the row stays, emptied, so that the candidate and staff see what happened
        return PieceFile.objects.filter(pk=piece_file.pk, scan_status=ScanStatus.PENDING).update(
            scan_status=ScanStatus.INFECTED, scan_signature=signature[:200], scanned_at=at, file="")

    piece = _piece_file_withdraw(piece_file=piece_file, mark=mark, reason=reason, at=at, template="piece_infected",
                                 event_key=f"piece-infected:{piece_file.pk}")
    if piece is None:
        return False
    logger.warning("antivirus: file %s of piece %s infected (%s), deleted", piece_file.pk, piece.pk, signature)
    return True


def _piece_file_withdraw(*, piece_file, mark, reason, at, template, event_key, unless_others=False, notify=True):
    """A stored file found unacceptable by a worker: `mark` records it (False when another
    decision came first), its content goes once that commits, the piece goes back to the candidate
    with `reason` until the replacement date (`unless_others`: only when no other file is left to
    it), and the candidate is emailed, once (unless `notify` is False). Returns the piece, or None
    when nothing was done."""
    with transaction.atomic():
        # The registration's row before the file's, the order every write takes: a removal of this
        # file under way waits here instead of deadlocking with it.
        registration_pk = Piece.objects.filter(pk=piece_file.piece_id).values_list("registration_id", flat=True).first()
        if registration_pk is None:  # the candidate removed it meanwhile
            return None
        registration_for_update(Registration(pk=registration_pk))
        if not mark():
            return None
        stored_name = piece_file.file.name
        transaction.on_commit(lambda: piece_file.file.storage.delete(stored_name))
        piece = Piece.objects.select_for_update().select_related("registration__candidate", "registration__session",
                                                                 "piece_kind").get(pk=piece_file.piece_id)
        registration = piece.registration
        if not (unless_others and piece.files.exclude(scan_status=ScanStatus.INFECTED).exists()):
            piece.status, piece.review_reason = PieceStatus.TO_REPLACE, reason
            piece.replace_until = replacement_deadline(registration.session, at)
            piece.reviewed_at, piece.reviewed_by = None, None
            piece.save()
        registration_refresh_missing(registration)
        if notify:
            pieces_url = absolute_url(reverse("documents:pieces", args=[registration.pk]) + f"#piece-{piece.piece_kind.code}")
            email_send(user=registration.candidate, template=template,
                       context={"piece": piece, "registration": registration, "file_name": piece_file.original_name,
                                "pieces_url": pieces_url},
                       event_key=event_key)
    return piece


def signed_copies_queue_reading(piece_files):
    """Queue the reading of the copies the request left « lecture en cours », once their rows commit."""
    for piece_file in piece_files:
        if piece_file.qr_reading == QrReading.PENDING:
            transaction.on_commit(lambda file_id=piece_file.pk: read_signed_copy_task.delay(file_id))


def piece_file_read_qr(*, file_id, at=None, notify=True):
    """Read a copy's QR code to the end, once: a copy no longer « lecture en cours » is left as it
    is, so a task delivered twice decides once. Another registration's copy is withdrawn (it is
    never kept), the candidate emailed unless `notify` is False (the deadline's job, whose own
    email says what was missing). Returns the fields recorded, "withdrawn", or None when nothing
    was decided here."""
    at = at or timezone.now()
    pending = PieceFile.objects.filter(pk=file_id, qr_reading=QrReading.PENDING)
    piece_file = pending.select_related("piece__registration").first()
    if piece_file is None:
        return None
    try:
        if not piece_file.file:  # infected and emptied meanwhile
            raise FileNotFoundError(file_id)
        with piece_file.file.open("rb") as stream:
            reading = read_confirmation(stream, piece_file.content_type)
    except OSError:  # its content is gone (infected, or lost from storage): nothing to read, left to staff
        pending.update(qr_reading=QrReading.UNREADABLE)
        return None
    try:
        fields = reading_fields(reading, piece_file.piece.registration)
    except NotThisConfirmation:
        reason = _("« %(name)s » n'est pas votre confirmation d'inscription : il a été retiré. Déposez votre confirmation, "
                   "datée et signée.") % {"name": piece_file.original_name}
        piece = _piece_file_withdraw(piece_file=piece_file, mark=lambda: pending.delete()[0], reason=reason, at=at,
                                     template="signed_copy_refused", event_key=f"signed-copy-refused:{piece_file.pk}",
                                     unless_others=True, notify=notify)
        if piece is None:
            return None
        logger.warning("signed copy: file %s of piece %s is another registration's confirmation, withdrawn", file_id, piece.pk)
        return "withdrawn"
    pending.update(**fields)
    return fields


def signed_copies_requeue_unread(*, at=None, older_than=None):
    """The nightly sweep: queue again the readings a lost task left « lecture en cours »."""
    at = at or timezone.now()
    older_than = older_than if older_than is not None else timedelta(minutes=30)
    ids = list(PieceFile.objects.filter(qr_reading=QrReading.PENDING, uploaded_at__lte=at - older_than).values_list("pk", flat=True))
    # (a copy emptied meanwhile is marked unreadable by its reading, so it comes back once)
    for file_id in ids:
        read_signed_copy_task.delay(file_id)
    return len(ids)


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
