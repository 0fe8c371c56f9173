"""The end of a draft: the candidate's lock (« J'ai fourni toutes mes pièces ») and the deadline's
job, which locks each complete draft and cancels the others."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from candidates.outbox import email_send
from documents.completeness import missing_pieces, piece_states, registration_check_complete
from documents.models import PieceFile, QrReading
from documents.requirements import session_requirements
from documents.scanning import piece_file_read_qr
from documents.signed_copies import outdated_copy_at_deadline
from exams.models import Registration
from exams.rules import registration_errors
from exams.services import registration_check_writable, registration_for_update

logger = logging.getLogger(__name__)


def registration_finalize(*, registration, at=None):
    """« J'ai fourni toutes mes pièces »: lock the registration for good. Two clicks lock once.

    Returns True for the request that locked it, False when it was already locked.
    """
    at = at or timezone.now()
    with transaction.atomic():
        # Checked on the locked row: no upload, removal or step save can land between the
        # checks and the lock, so what is locked is what was checked.
        current = registration_for_update(registration)
        if current.is_locked:
            return False
        registration_check_writable(registration=current, at=at)
        registration_check_complete(current)
        locked = current.lock(at)
        if locked:
            registration.refresh_from_db()
            email_send(user=registration.candidate, template="registration_locked", context={"registration": registration},
                       event_key=f"registration-locked:{registration.pk}")
    return locked


# The deadline job waits this long after 17:00:00, so that an upload that started before it
# (and keeps its arrival time) has ended: the task and `manage.py close_registrations` alike.
CLOSING_GRACE = timedelta(minutes=15)


def close_registrations(*, at=None, grace=CLOSING_GRACE):
    """`grace` after a session's deadline, lock each draft that has everything, cancel the others:
    one whose signed confirmation is of an older version has not got everything.

    Idempotent: only drafts are touched, each by a conditional update; a re-run finds none.
    Returns (locked, cancelled).
    """
    at = at or timezone.now()
    locked = cancelled = 0
    closed_before = at - grace
    drafts = (Registration.objects.drafts().filter(session__registration_closes_at__lt=closed_before)
              .select_related("session", "candidate", "specialty", "option"))
    matrices = {}  # one read of each session's matrix for the whole run
    # The readings of signed copies still under way are finished first, out of any lock: what is
    # judged is what the copies are (another registration's is withdrawn, the cancellation says why).
    unread = PieceFile.objects.filter(piece__registration__in=drafts, qr_reading=QrReading.PENDING).values_list("pk", flat=True)
    for file_id in list(unread):
        piece_file_read_qr(file_id=file_id, at=at, notify=False)
    for registration in drafts.iterator(chunk_size=500):
        if registration.session_id not in matrices:
            matrices[registration.session_id] = session_requirements(registration.session)
        requirements = matrices[registration.session_id]
        with transaction.atomic():
            # Judged on the locked row: an upload that started before the deadline and commits
            # now is either counted here or refused, never lost between the two.
            registration = registration_for_update(registration)
            if not registration.is_editable:
                continue
            missing = old_copy = None
            if not registration_errors(registration):
                states = piece_states(registration, requirements)
                missing = missing_pieces(registration, states)
                old_copy = outdated_copy_at_deadline(registration, states)  # an older version is no signed confirmation
            if missing == [] and old_copy is None:
                done = registration.lock(at)
                template, counter = "registration_locked", "locked"
            else:
                done = registration.cancel(at)
                template, counter = "registration_cancelled", "cancelled"
            if done:
                email_send(user=registration.candidate, template=template,
                           context={"registration": registration, "missing": missing or [], "incomplete_form": missing is None,
                                    "outdated_copy": old_copy},
                           event_key=f"registration-{counter}:{registration.pk}")
                if counter == "locked":
                    locked += 1
                else:
                    cancelled += 1
    logger.info("close_registrations: %d locked, %d cancelled", locked, cancelled)
    return locked, cancelled
