"""Writes about pieces: uploads, the final lock, the deadline. Each checks its guard here."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from documents import antivirus
from documents.models import Piece, PieceFile, PieceStatus, Requirement, ScanStatus
from documents.requirements import required_pieces, session_requirements
from documents.uploads import prepare_uploads
from exams.models import Registration, RegistrationStatus
from exams.rules import registration_errors
from exams.services import RegistrationNotEditable, registration_check_writable, registration_for_update

logger = logging.getLogger(__name__)
CONFIRMATION = "confirmation"


@transaction.atomic
def requirements_copy(*, from_session, to_session):
    """Give a new session the matrix of an earlier one; rows it already has are kept."""
    copied = 0
    for requirement in Requirement.objects.filter(session=from_session).prefetch_related("specialties", "options"):
        new, created = Requirement.objects.get_or_create(
            session=to_session, piece_kind=requirement.piece_kind, condition=requirement.condition,
            defaults={f"for_{f}": getattr(requirement, f"for_{f}") for f in ("scolaire", "apprentissage", "continue", "experience")},
        )
        if created:
            new.specialties.set(requirement.specialties.all())
            new.options.set(requirement.options.all())
            copied += 1
    return copied


@dataclass(frozen=True)
class PieceState:
    """What "Mes justificatifs" shows for one required piece."""

    required: object  # RequiredPiece
    piece: Piece | None

    @property
    def files(self):
        return list(self.piece.files.all()) if self.piece else []

    @property
    def status(self):
        """An infected file counts for nothing: a piece left with none other is missing."""
        if self.piece is None or all(f.is_infected for f in self.files):
            return "missing"
        return self.piece.status

    @property
    def scanning(self):
        return any(f.scan_status == ScanStatus.PENDING for f in self.files)


def piece_states(registration, requirements=None):
    """Each required piece with what was given for it, in a fixed number of queries.

    `requirements` (from `session_requirements`) lets a loop over many registrations read the
    session's matrix once instead of once per registration.
    """
    pieces = {p.piece_kind_id: p for p in registration.pieces.prefetch_related("files")}
    return [PieceState(required=r, piece=pieces.get(r.kind.pk)) for r in required_pieces(registration, requirements)]


def dossier_state(registration):
    """The professional dossier, for the specialties that upload it here; else None."""
    from documents.models import PieceKind
    from documents.requirements import RequiredPiece

    if not (registration.specialty and registration.specialty.professional_dossier_in_portal):
        return None
    kind = PieceKind.objects.filter(code=DOSSIER).first()
    if kind is None:
        return None
    reason = _("car le dossier support des épreuves professionnelles du BTS %(specialty)s se dépose sur ce portail") % {
        "specialty": registration.specialty.name}
    return PieceState(required=RequiredPiece(kind=kind, reason=reason),
                      piece=registration.pieces.filter(piece_kind=kind).prefetch_related("files").first())


def missing_pieces(registration, states=None, requirements=None):
    states = states if states is not None else piece_states(registration, requirements)
    return [state.required for state in states if state.status == "missing"]


DOSSIER = "professional-dossier"


def piece_check_writable(*, registration, piece_kind, piece, at):
    """Candidates change pieces while the registration is editable and the window open, or
    replace one that staff asked to replace, until the date staff set. The professional
    dossier has its own window, apart from the lock."""
    if piece_kind.code == DOSSIER:
        return dossier_check_writable(registration=registration, at=at)
    if piece is not None and piece.can_be_replaced(at):
        return
    registration_check_writable(registration=registration, at=at)


def dossier_check_writable(*, registration, at):
    session = registration.session
    if registration.status == RegistrationStatus.CANCELLED or not registration.specialty or \
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
    prepared = prepare_uploads(uploads, combine=combine, combined_name=f"{piece_kind.code}.pdf",
                               read_confirmation_version=piece_kind.code == CONFIRMATION)
    stored = []
    scan_status = ScanStatus.PENDING if antivirus.scanning_enabled() else ScanStatus.UNSCANNED
    try:
        for prepared_file in prepared:
            stored.append(_store_file(None, prepared_file, at, scan_status))
        with transaction.atomic():
            current = registration_for_update(registration)
            piece = Piece.objects.select_for_update().filter(registration=current, piece_kind=piece_kind).first()
            piece_check_not_overtaken(registration=current, piece_kind=piece_kind, piece=piece, at=at)
            if piece is None:
                piece = Piece.objects.create(registration=current, piece_kind=piece_kind, updated_at=at)
            else:  # new files: back to staff's review queue
                piece.status, piece.updated_at = PieceStatus.RECEIVED, at
                piece.save()
            for piece_file in stored:
                piece_file.piece = piece
                piece_file.save()
            registration_refresh_missing(current)
            if scan_status == ScanStatus.PENDING:
                files_queue_scan([piece_file.pk for piece_file in stored])
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


def _store_file(piece, prepared, at, scan_status):
    piece_file = PieceFile(piece=piece, original_name=prepared.name, content_type=prepared.content_type,
                           size=prepared.size, sha256=prepared.sha256, sent_sha256=prepared.sent_sha256,
                           uploaded_at=at, scan_status=scan_status,
                           confirmation_version=prepared.confirmation_version)
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
        piece_file.delete()
        transaction.on_commit(lambda: piece_file.file.delete(save=False))
        if not piece.files.exists():
            piece.delete()
        registration_refresh_missing(current)
    return True


class RegistrationIncomplete(PermissionDenied):
    pass


def registration_finalize(*, registration, at=None):
    """« J'ai fourni toutes mes pièces »: lock the registration for good. Two clicks lock once.

    Returns True for the request that locked it, False when it was already locked.
    """
    from portal.emails import email_send

    at = at or timezone.now()
    with transaction.atomic():
        # Checked on the locked row: no upload, removal or step save can land between the
        # checks and the lock, so what is locked is what was checked.
        current = registration_for_update(registration)
        if current.status == RegistrationStatus.LOCKED:
            return False
        registration_check_writable(registration=current, at=at)
        registration_check_complete(current)
        locked = Registration.objects.filter(pk=current.pk, status=RegistrationStatus.DRAFT).update(
            status=RegistrationStatus.LOCKED, locked_at=at)
        if locked:
            registration.refresh_from_db()
            email_send(user=registration.candidate, template="registration_locked", context={"registration": registration},
                       event_key=f"registration-locked:{registration.pk}")
    return bool(locked)


def registration_check_complete(registration):
    """Every step answered, every required piece given, no scan still running."""
    if registration_errors(registration):
        raise RegistrationIncomplete(_("Votre inscription n'est pas complète : terminez d'abord toutes ses étapes."))
    missing = missing_pieces(registration)
    if missing:
        raise RegistrationIncomplete(_("Il manque encore : %(pieces)s.") % {"pieces": ", ".join(p.kind.name for p in missing)})
    if PieceFile.objects.filter(piece__registration=registration, scan_status=ScanStatus.PENDING).exists():
        raise RegistrationIncomplete(_("L'analyse antivirus de vos derniers fichiers n'est pas terminée : réessayez dans une minute."))


# The deadline job waits this long after 17:00:00, so that an upload that started before it
# (and keeps its arrival time) has ended: the task and `manage.py close_registrations` alike.
CLOSING_GRACE = timedelta(minutes=15)


def close_registrations(*, at=None, grace=CLOSING_GRACE):
    """`grace` after a session's deadline, lock each draft that has everything, cancel the others.

    Idempotent: only drafts are touched, each by a conditional update; a re-run finds none.
    Returns (locked, cancelled).
    """
    from portal.emails import email_send

    at = at or timezone.now()
    locked = cancelled = 0
    closed_before = at - grace
    drafts = (Registration.objects.filter(status=RegistrationStatus.DRAFT, session__registration_closes_at__lt=closed_before)
              .select_related("session", "candidate", "specialty", "option"))
    matrices = {}  # one read of each session's matrix for the whole run
    for registration in drafts.iterator(chunk_size=500):
        if registration.session_id not in matrices:
            matrices[registration.session_id] = session_requirements(registration.session)
        requirements = matrices[registration.session_id]
        with transaction.atomic():
            # Judged on the locked row: an upload that started before the deadline and commits
            # now is either counted here or refused, never lost between the two.
            registration = registration_for_update(registration)
            if registration.status != RegistrationStatus.DRAFT:
                continue
            missing = missing_pieces(registration, requirements=requirements) if not registration_errors(registration) else None
            if missing == []:
                done = Registration.objects.filter(pk=registration.pk, status=RegistrationStatus.DRAFT).update(
                    status=RegistrationStatus.LOCKED, locked_at=at)
                template, counter = "registration_locked", "locked"
            else:
                done = Registration.objects.filter(pk=registration.pk, status=RegistrationStatus.DRAFT).update(
                    status=RegistrationStatus.CANCELLED, cancelled_at=at)
                template, counter = "registration_cancelled", "cancelled"
            if done:
                email_send(user=registration.candidate, template=template,
                           context={"registration": registration, "missing": missing or [], "incomplete_form": missing is None},
                           event_key=f"registration-{counter}:{registration.pk}")
                if counter == "locked":
                    locked += 1
                else:
                    cancelled += 1
    logger.info("close_registrations: %d locked, %d cancelled", locked, cancelled)
    return locked, cancelled


# (days, the reminder's window before the deadline): the 7-day one goes between 7 and 2 days
# before, the 2-day one in the last 2 days, so a late run never sends both at once.
REMINDERS = ((7, (2, 7)), (2, (0, 2)))


def send_deadline_reminders(*, at=None):
    """7 and 2 days before the deadline, remind each incomplete draft of what is missing, once each."""
    from datetime import timedelta

    from portal.emails import email_send

    at = at or timezone.now()
    sent = 0
    for days, (nearest, farthest) in REMINDERS:
        due = (Registration.objects.filter(status=RegistrationStatus.DRAFT,
                                           session__registration_closes_at__gt=at + timedelta(days=nearest),
                                           session__registration_closes_at__lte=at + timedelta(days=farthest))
               .select_related("session", "candidate", "specialty", "option"))
        matrices = {}
        for registration in due.iterator(chunk_size=500):
            form_done = not registration_errors(registration)
            if registration.session_id not in matrices:
                matrices[registration.session_id] = session_requirements(registration.session)
            requirements = matrices[registration.session_id]
            missing = missing_pieces(registration, requirements=requirements) if form_done else []
            if form_done and not missing:
                continue
            email_send(user=registration.candidate, template="deadline_reminder",
                       context={"registration": registration, "missing": missing, "form_done": form_done, "days": days},
                       event_key=f"reminder:{registration.pk}:{days}d")
            sent += 1
    return sent




def registration_refresh_missing(registration):
    """Store how many required pieces lack a file, so staff can filter complete files fast."""
    missing = len(missing_pieces(registration)) if registration.pathway else None
    Registration.objects.filter(pk=registration.pk).update(pieces_missing=missing)
    return missing


class ReviewRefused(PermissionDenied):
    pass


def piece_review(*, piece, accept, reasons=(), comment="", replace_until=None, by, at=None):
    """Staff decide on a piece awaiting review: « Conforme », or « À remplacer » with a reason.

    A conditional update from "received" makes a decision once, even if two staff members click
    together. « À remplacer » reopens that one piece for the candidate until `replace_until`
    and emails the reason; the audit (django-simple-history) records who decided what and when.
    """
    from portal.emails import email_send

    at = at or timezone.now()
    reason_text = "; ".join([*(str(r) for r in reasons), *([comment.strip()] if comment.strip() else [])])
    if not accept and not reason_text:
        raise ReviewRefused(_("Choisissez au moins un motif ou écrivez-le."))
    if not accept and replace_until is not None and replace_until <= at:
        raise ReviewRefused(_("La date limite de remplacement doit être dans le futur."))
    with transaction.atomic():
        # The registration's row first, as every other write takes it, then the piece as it is now.
        registration_for_update(piece.registration)
        current = Piece.objects.select_for_update().select_related("registration__candidate", "piece_kind").filter(pk=piece.pk).first()
        if current is None:
            raise ReviewRefused(_("Le candidat a retiré cette pièce entre-temps : il n'y a plus rien à contrôler."))
        if current.status != PieceStatus.RECEIVED:
            raise ReviewRefused(_("Cette pièce a déjà été contrôlée (%(status)s).") % {"status": current.get_status_display()})
        if current.files.filter(scan_status=ScanStatus.PENDING).exists():
            raise ReviewRefused(_("L'analyse antivirus de cette pièce n'est pas terminée : décidez quand elle le sera."))
        current.status = PieceStatus.ACCEPTED if accept else PieceStatus.TO_REPLACE
        current.review_reason = "" if accept else reason_text
        current.replace_until = None if accept else replace_until
        current.reviewed_at, current.reviewed_by = at, by
        current._history_user = by
        current.save()
        if not accept:
            email_send(user=current.registration.candidate, template="piece_to_replace",
                       context={"piece": current, "registration": current.registration},
                       event_key=f"piece-to-replace:{current.pk}:{current.history.count()}")
    piece.refresh_from_db()
    return current


def next_piece_to_review(*, after=None):
    """The oldest piece awaiting review (the queue), optionally skipping one; a piece joins the
    queue once the antivirus has finished with its files."""
    queue = (Piece.objects.filter(status=PieceStatus.RECEIVED).exclude(files__scan_status=ScanStatus.PENDING)
             .order_by("updated_at", "pk"))
    if after is not None:
        queue = queue.exclude(pk=after.pk)
    return queue.select_related("registration__candidate", "registration__specialty", "piece_kind").first()


def replacement_deadline(session, at):
    """Until when a piece sent back to the candidate can be replaced, unless staff say otherwise:
    17:00 on the later of the registration deadline and a week from now."""
    from datetime import timedelta

    latest = max(session.registration_closes_at, at + timedelta(days=7))
    return timezone.localtime(latest).replace(hour=17, minute=0, second=0, microsecond=0)


def files_queue_scan(file_ids):
    """Queue the antivirus scan of these files once the transaction that stored them commits."""
    from documents.tasks import scan_piece_file

    for file_id in file_ids:
        transaction.on_commit(lambda file_id=file_id: scan_piece_file.delay(file_id))


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
    from portal.emails import email_send

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
    from datetime import timedelta

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
