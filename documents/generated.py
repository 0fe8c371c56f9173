"""The PDFs made for each version of a registration (« Mes documents »): the confirmation to sign
and, with the « engagement étudiant », its form. Each is stored once per version."""

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from documents import pdf
from documents.confirmation_code import verification_code
from documents.models import GeneratedDocument, GeneratedDocumentKind
from documents.requirements import required_pieces


def registration_documents_make(registration):
    """Render and store the PDFs of the registration's current version that are not stored yet.
    Safe to run twice at once: a second copy of one PDF loses to the first (a unique row)."""
    version = registration.version
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
    code = verification_code(registration, version) if kind == GeneratedDocumentKind.CONFIRMATION else ""
    document = GeneratedDocument(registration=registration, kind=kind, version=version, verification_code=code)
    document.file.save(f"{registration.number}-{kind}-v{version}.pdf", ContentFile(content), save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:  # another worker made it meanwhile: keep theirs
        document.file.delete(save=False)
