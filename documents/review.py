"""Staff's review of pieces: the queue and its claims, the decision (« Conforme » or « À
remplacer »), reopening a piece after the lock, and until when a piece sent back can be replaced."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.outbox import email_send
from candidates.tokens import absolute_url
from documents.models import Piece, PieceStatus, ScanStatus
from exams.services import registration_for_update


class ReviewRefused(PermissionDenied):
    pass


def review_reason_text(reasons, comment=""):
    """The reason the candidate reads: the reasons staff picked, in one sentence joined by « ; »,
    then staff's own words as a sentence of their own.
    « Document incomplet (recto ou verso manquant) ; document illisible. Il manque le verso. »"""
    labels = [str(reason).strip() for reason in reasons]
    labels = labels[:1] + [label[:1].lower() + label[1:] for label in labels[1:]]
    text, comment = "; ".join(labels), comment.strip()
    if text and comment and not text.endswith((".", "!", "?", "…")):
        text += "."
    return f"{text} {comment}".strip()


def piece_review(*, piece, accept, reasons=(), comment="", replace_until=None, by, at=None):
    """Staff decide on a piece awaiting review: « Conforme », or « À remplacer » with a reason.

    A conditional update from "received" makes a decision once, even if two staff members click
    together. « À remplacer » reopens that one piece for the candidate until `replace_until`
    and emails the reason; the audit (django-simple-history) records who decided what and when.
    """
    at = at or timezone.now()
    reason_text = review_reason_text(reasons, comment)
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
        if not current.files.exclude(scan_status=ScanStatus.INFECTED).exists():
            raise ReviewRefused(_("Le candidat a retiré les fichiers de cette pièce : il n'y a plus rien à contrôler."))
        if accept:
            current.status, current.review_reason, current.replace_until = PieceStatus.ACCEPTED, "", None
            current.reviewed_at, current.reviewed_by = at, by
            current.claimed_by, current.claimed_until = None, None
            current._history_user = by
            current.save()
        else:
            _send_back(current, reason=reason_text, replace_until=replace_until, by=by, at=at)
    piece.refresh_from_db()
    return current


def piece_reopen(*, piece, reason, replace_until, by, at=None):
    """Staff reopen a piece of a locked registration (even one they accepted), with a reason and
    a date: the candidate is emailed and may replace that one piece until then."""
    at = at or timezone.now()
    if not reason.strip():
        raise ReviewRefused(_("Écrivez le motif pour le candidat."))
    if replace_until is None or replace_until <= at:
        raise ReviewRefused(_("La date limite de remplacement doit être dans le futur."))
    with transaction.atomic():
        registration = registration_for_update(piece.registration)
        if not registration.is_locked:
            raise ReviewRefused(_("Seule une pièce d'une inscription validée définitivement se rouvre : "
                                  "avant, le candidat la modifie lui-même."))
        current = Piece.objects.select_for_update().select_related("registration__candidate", "piece_kind").get(pk=piece.pk)
        if current.status == PieceStatus.TO_REPLACE:
            raise ReviewRefused(_("Cette pièce est déjà à remplacer."))
        _send_back(current, reason=reason.strip(), replace_until=replace_until, by=by, at=at)
    piece.refresh_from_db()
    return current


def _send_back(piece, *, reason, replace_until, by, at):
    """« À remplacer »: the piece reopens for the candidate, who is emailed with a link to it."""
    piece.status, piece.review_reason, piece.replace_until = PieceStatus.TO_REPLACE, reason, replace_until
    piece.reviewed_at, piece.reviewed_by = at, by
    piece.claimed_by, piece.claimed_until = None, None
    piece._history_user = by
    piece.save()
    registration = piece.registration
    pieces_url = absolute_url(reverse("documents:pieces", args=[registration.pk]) + f"#piece-{piece.piece_kind.code}")
    email_send(user=registration.candidate, template="piece_to_replace",
               context={"piece": piece, "registration": registration, "pieces_url": pieces_url},
               event_key=f"piece-to-replace:{piece.pk}:{piece.history.count()}")


def review_queue():
    """The pieces awaiting review, oldest first: received, with a file, none still being scanned."""
    return Piece.objects.awaiting_review().order_by("updated_at", "pk")


def _free_for(by, at):
    return Q(claimed_until__isnull=True) | Q(claimed_until__lte=at) | Q(claimed_by=by)


def piece_claim(*, piece, by, at=None):
    """Take a piece for `by` for REVIEW_CLAIM_MINUTES, unless another staff member holds it.

    A conditional update: of two staff members claiming together, PostgreSQL re-reads the row
    for the second after the first commits, so only one gets it. A staff member holds one piece
    at a time: their earlier claims are released. Returns whether `by` holds it now."""
    at = at or timezone.now()
    until = at + timedelta(minutes=settings.REVIEW_CLAIM_MINUTES)
    taken = Piece.objects.filter(_free_for(by, at), pk=piece.pk, status=PieceStatus.RECEIVED).update(
        claimed_by=by, claimed_until=until)
    if taken:
        Piece.objects.filter(claimed_by=by).exclude(pk=piece.pk).update(claimed_by=None, claimed_until=None)
    return bool(taken)


def piece_release(*, piece, by):
    """« Passer », or leaving the piece: another staff member may take it at once."""
    Piece.objects.filter(pk=piece.pk, claimed_by=by).update(claimed_by=None, claimed_until=None)


def next_piece_to_review(*, by=None, at=None, skipped=()):
    """The oldest piece awaiting review that nobody else has open, claimed for `by` (without
    `by`: only looked at); the pieces `by` skipped are left out. None when nothing is left."""
    at = at or timezone.now()
    candidates = review_queue().filter(_free_for(by, at)).exclude(pk__in=list(skipped))
    if by is None:
        return candidates.select_related("registration__candidate", "registration__specialty", "piece_kind").first()
    for pk in candidates.values_list("pk", flat=True)[:50]:
        if piece_claim(piece=Piece(pk=pk), by=by, at=at):
            return Piece.objects.select_related("registration__candidate", "registration__specialty", "piece_kind").get(pk=pk)
    return None


def pieces_held_by_colleagues(*, by, at=None):
    """How many pieces awaiting review other staff members have open now: the queue says so when
    it has none left for `by`, rather than that nothing awaits."""
    at = at or timezone.now()
    return review_queue().exclude(_free_for(by, at)).count()


def replacement_deadline(session, at):
    """Until when a piece sent back to the candidate can be replaced, unless staff say otherwise:
    17:00 on the later of the registration deadline and a week from now."""
    latest = max(session.registration_closes_at, at + timedelta(days=7))
    return timezone.localtime(latest).replace(hour=17, minute=0, second=0, microsecond=0)
