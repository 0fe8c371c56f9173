"""Pieces and their files: uploads and removals, each checked on the registration's locked row."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from documents import antivirus
from documents.completeness import registration_refresh_missing
from documents.metrics import uploads_total
from documents.models import Piece, PieceFile, PieceKind, PieceStatus, ScanStatus
from documents.scanning import files_queue_scan, signed_copies_queue_reading
from documents.signed_copies import signed_copy_read
from documents.uploads import prepare_uploads
from exams.services import RegistrationNotEditable, registration_check_writable, registration_for_update


def piece_check_writable(*, registration, piece_kind, piece, at):
    """Candidates change pieces while the registration is editable and the window open, or
    replace one that staff asked to replace, until the date staff set. The professional
    dossier has its own window, apart from the lock."""
    if piece_kind.code == PieceKind.PROFESSIONAL_DOSSIER:
        return dossier_check_writable(registration=registration, at=at)
    if piece is not None and piece.can_be_replaced(at):
        return
    registration_check_writable(registration=registration, at=at)


def dossier_check_writable(*, registration, at):
    session = registration.session
    if registration.is_cancelled or not registration.specialty or \
            not registration.specialty.professional_dossier_in_portal:
        raise PermissionDenied(_("Cette inscription ne dépose pas de dossier professionnel sur le portail."))
    if not session.is_dossier_upload_open(at):
        raise PermissionDenied(_("Le dépôt des dossiers professionnels n'est pas ouvert en ce moment."))


class UploadOvertaken(PermissionDenied):
    """The candidate locked the registration while this upload was on its way."""


def piece_upload(*, registration, piece_kind, uploads, combine=False, at=None):
    """Check, then store the files given for one piece. All or nothing: a bad file stores none.

    Every file is read and judged (`prepare_uploads`) and written to storage before any
    transaction, so no row is locked while a large file is read or a slow storage writes it.
    Then one short transaction locks the registration's row, checks again on that fresh row
    that the piece may be written at `at` (the request's arrival: a deadline passed meanwhile
    does not count), and creates the rows. A registration locked by its candidate meanwhile
    refuses the upload (UploadOvertaken), except for the pieces open after the lock. On any
    failure what was stored is deleted: no file without its row, no row without its file.
    """
    at = at or timezone.now()
    piece = Piece.objects.filter(registration=registration, piece_kind=piece_kind).first()
    piece_check_writable(registration=registration, piece_kind=piece_kind, piece=piece, at=at)
    prepared = prepare_uploads(uploads, combine=combine, combined_name=f"{piece_kind.code}.pdf")
    # A signed confirmation is judged by its QR code before anything is stored: another
    # registration's is refused here (NotThisConfirmation), with nothing kept.
    readings = [signed_copy_read(p, registration) if piece_kind.code == PieceKind.CONFIRMATION else {} for p in prepared]
    stored = []
    scan_status = ScanStatus.PENDING if antivirus.scanning_enabled() else ScanStatus.UNSCANNED
    try:
        for prepared_file, reading in zip(prepared, readings, strict=True):
            stored.append(_store_file(None, prepared_file, at, scan_status, reading))
        with transaction.atomic():
            current = registration_for_update(registration)
            piece = Piece.objects.select_for_update().filter(registration=current, piece_kind=piece_kind).first()
            piece_check_not_overtaken(registration=current, piece_kind=piece_kind, piece=piece, at=at)
            if piece is None:
                piece = Piece.objects.create(registration=current, piece_kind=piece_kind, updated_at=at)
            elif not piece_is_reopened(registration=current, piece=piece, at=at):  # new files: back to staff's review queue
                piece.status, piece.updated_at = PieceStatus.RECEIVED, at
                piece.save()
            # A reopened piece waits for « Renvoyer pour contrôle » (piece_resubmit): recto, then verso.
            for piece_file in stored:
                piece_file.piece = piece
                piece_file.save()
            registration_refresh_missing(current)
            if scan_status == ScanStatus.PENDING:
                files_queue_scan([piece_file.pk for piece_file in stored])
            signed_copies_queue_reading(stored)
            transaction.on_commit(lambda: uploads_total.inc(len(stored)))
    except BaseException:  # also a worker killed on timeout: nothing stored is left behind
        for piece_file in stored:
            piece_file.file.delete(save=False)
        raise
    return stored


def piece_check_not_overtaken(*, registration, piece_kind, piece, at):
    """`piece_check_writable` on the locked row, saying so when the candidate's own lock came
    while the file was on its way: the lock covers the files it saw, not one that came after."""
    try:
        piece_check_writable(registration=registration, piece_kind=piece_kind, piece=piece, at=at)
    except RegistrationNotEditable:
        if registration.locked_at is None:  # cancelled
            raise
        raise UploadOvertaken(_("Votre inscription a été validée définitivement pendant l'envoi de ce fichier : "
                                "il n'a pas été enregistré.")) from None


def _store_file(piece, prepared, at, scan_status, reading):
    piece_file = PieceFile(piece=piece, original_name=prepared.name, content_type=prepared.content_type,
                           size=prepared.size, sha256=prepared.sha256, sent_sha256=prepared.sent_sha256,
                           uploaded_at=at, scan_status=scan_status, **reading)
    prepared.content.seek(0)
    piece_file.file.save(prepared.name, prepared.content, save=False)  # the bytes only: the row comes later
    return piece_file


def piece_file_delete(*, registration, piece_file, at=None):
    """Remove one file, checked on the locked row; its content goes once the removal commits.

    Returns False when the file was already gone (a second click)."""
    at = at or timezone.now()
    with transaction.atomic():
        current = registration_for_update(registration)
        piece_file = PieceFile.objects.select_related("piece__piece_kind").filter(
            pk=piece_file.pk, piece__registration=current).first()
        if piece_file is None:
            return False
        piece = piece_file.piece
        piece_check_writable(registration=current, piece_kind=piece.piece_kind, piece=piece, at=at)
        piece_file.delete()  # never the piece: its state, staff's reason and date stay
        transaction.on_commit(lambda: piece_file.file.delete(save=False))
        registration_refresh_missing(current)
    return True


def piece_is_reopened(*, registration, piece, at):
    """Staff sent the piece back after the lock and its date has not passed: the candidate adds
    files, then sends it back with « Renvoyer pour contrôle »."""
    return not registration.is_writable(at) and piece.can_be_replaced(at)


class ResubmitRefused(PermissionDenied):
    pass


def piece_resubmit(*, registration, piece, at=None):
    """« Renvoyer pour contrôle »: a reopened piece with a file given since staff's request goes
    back to the review queue, checked on the locked row. Staff's reason stays for their review."""
    at = at or timezone.now()
    with transaction.atomic():
        current = registration_for_update(registration)
        piece = Piece.objects.select_for_update().filter(pk=piece.pk, registration=current).first()
        if piece is None:
            raise ResubmitRefused(_("Cette pièce n'appartient pas à cette inscription."))
        if not piece_is_reopened(registration=current, piece=piece, at=at):
            raise ResubmitRefused(_("Cette pièce n'est pas à remplacer, ou sa date de remplacement est passée."))
        if not any(not f.is_infected for f in piece.files_since_request()):
            raise ResubmitRefused(_("Ajoutez d'abord au moins un nouveau fichier, puis renvoyez la pièce."))
        piece.status, piece.updated_at = PieceStatus.RECEIVED, at
        piece.claimed_by, piece.claimed_until = None, None
        piece.save()
        registration_refresh_missing(current)
    return piece
