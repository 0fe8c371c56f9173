
from celery import shared_task
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from documents import pdf
from documents.models import GeneratedDocument, GeneratedDocumentKind
from documents.requirements import required_pieces
from exams.models import Registration


@shared_task
def render_registration_documents(registration_id, version):
    """Make the PDFs of one version of a registration, once. Safe to run twice or late.

    A version that is no longer the current one is skipped: the newer version has its own task.
    """
    registration = Registration.objects.select_related("candidate", "session", "specialty", "option").filter(pk=registration_id).first()
    if registration is None or registration.version != version:
        return
    wanted = [GeneratedDocumentKind.CONFIRMATION]
    if registration.engagement_etudiant:
        wanted.append(GeneratedDocumentKind.ENGAGEMENT_FORM)
    for kind in wanted:
        if GeneratedDocument.objects.filter(registration=registration, kind=kind, version=version).exists():
            continue
        if kind == GeneratedDocumentKind.CONFIRMATION:
            content = pdf.confirmation_pdf(registration, required_pieces(registration))
        else:
            content = pdf.engagement_form_pdf(registration)
        _store(registration, kind, version, content)


def _store(registration, kind, version, content):
    document = GeneratedDocument(registration=registration, kind=kind, version=version)
    document.file.save(f"{registration.number}-{kind}-v{version}.pdf", ContentFile(content), save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:  # another worker made it meanwhile: keep theirs
        document.file.delete(save=False)


@shared_task
def close_registrations_task():
    """Periodic (every 5 minutes): after a session's deadline, lock complete drafts, cancel the others.

    It waits CLOSING_GRACE (the service's default) after the deadline, so an upload that started
    before 17:00:00 has ended.
    """
    from documents.services import close_registrations

    return close_registrations()


@shared_task
def send_deadline_reminders_task():
    """Periodic (every hour): 7 and 2 days before the deadline, remind incomplete registrations."""
    from documents.services import send_deadline_reminders

    return send_deadline_reminders()


@shared_task(bind=True, max_retries=6)
def scan_piece_file(self, file_id):
    """Scan one uploaded file with clamd (queued after the upload commits). Safe to run twice: a
    file already judged is left alone. While clamd does not answer, retry with a growing delay
    (1, 2, 4… minutes); after that the nightly sweep queues it again."""
    from documents.antivirus import ScanUnavailable
    from documents.services import piece_file_scan

    try:
        verdict = piece_file_scan(file_id=file_id)
    except ScanUnavailable as error:
        raise self.retry(exc=error, countdown=60 * 2 ** self.request.retries) from error
    return None if verdict is None else ("infected" if verdict.infected else "clean")


@shared_task
def requeue_unscanned_files():
    """Nightly: queue again the scans that never finished, and the files stored while scanning was off."""
    from documents.services import files_requeue_unscanned

    return files_requeue_unscanned()
