"""Staff's review of pieces: the queue, the decision (« Conforme » or « À remplacer »), and until
when a piece sent back can be replaced."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.outbox import email_send
from documents.models import Piece, PieceStatus, ScanStatus
from exams.services import registration_for_update


class ReviewRefused(PermissionDenied):
    pass


def piece_review(*, piece, accept, reasons=(), comment="", replace_until=None, by, at=None):
    """Staff decide on a piece awaiting review: « Conforme », or « À remplacer » with a reason.

    A conditional update from "received" makes a decision once, even if two staff members click
    together. « À remplacer » reopens that one piece for the candidate until `replace_until`
    and emails the reason; the audit (django-simple-history) records who decided what and when.
    """
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
    latest = max(session.registration_closes_at, at + timedelta(days=7))
    return timezone.localtime(latest).replace(hour=17, minute=0, second=0, microsecond=0)
