
"""The documents' Celery tasks. Each fetches its row and calls one service, imported when the task
runs: the services import their tasks at the top (`thing_task`), so this module imports none."""

from celery import shared_task

from exams.models import Registration


@shared_task
def render_registration_documents(registration_id, version):
    """Make the PDFs of one version of a registration, once. Safe to run twice or late: a version
    that is no longer the current one is skipped, the newer version has its own task."""
    from documents.generated import registration_documents_make

    registration = Registration.objects.select_related("candidate", "session", "specialty", "option").filter(pk=registration_id).first()
    if registration is not None and registration.version == version:
        registration_documents_make(registration)


@shared_task
def close_registrations_task():
    """Periodic (every 5 minutes): after a session's deadline, lock complete drafts, cancel the others.

    It waits CLOSING_GRACE (the service's default) after the deadline, so an upload that started
    before 17:00:00 has ended.
    """
    from documents.locking import close_registrations

    return close_registrations()


@shared_task
def send_deadline_reminders_task():
    """Periodic (every hour): 7 and 2 days before the deadline, remind incomplete registrations."""
    from documents.reminders import send_deadline_reminders

    return send_deadline_reminders()


@shared_task(bind=True, max_retries=6)
def scan_piece_file(self, file_id):
    """Scan one uploaded file with clamd (queued after the upload commits). Safe to run twice: a
    file already judged is left alone. While clamd does not answer, retry with a growing delay
    (1, 2, 4… minutes); after that the nightly sweep queues it again."""
    from documents.antivirus import ScanUnavailable
    from documents.scanning import piece_file_scan

    try:
        verdict = piece_file_scan(file_id=file_id)
    except ScanUnavailable as error:
        raise self.retry(exc=error, countdown=60 * 2 ** self.request.retries) from error
    return None if verdict is None else ("infected" if verdict.infected else "clean")


@shared_task(acks_late=True)
def read_signed_copy(file_id):
    """Read to the end the QR code of a signed confirmation the upload request left « lecture en
    cours » (documents/signed_copies.py). Safe to run twice: a copy already read is left alone."""
    from documents.scanning import piece_file_read_qr

    result = piece_file_read_qr(file_id=file_id)
    return result if result is None or isinstance(result, str) else result["qr_reading"]


@shared_task
def requeue_unscanned_files():
    """Nightly: queue again the scans that never finished, the files stored while scanning was
    off, and the readings of signed confirmations a lost task left unfinished."""
    from documents.scanning import files_requeue_unscanned, signed_copies_requeue_unread

    return files_requeue_unscanned(), signed_copies_requeue_unread()
