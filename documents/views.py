from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from documents.models import GeneratedDocument, GeneratedDocumentKind
from documents.requirements import required_pieces
from exams.rules import registration_errors
from exams.views import get_own_registration_or_404


def _current_documents(registration):
    documents = GeneratedDocument.objects.filter(registration=registration, version=registration.version)
    return {document.kind: document for document in documents}


@login_required
def my_documents(request, pk):
    """« Mes documents »: the confirmation to print and sign, and the list of pieces to upload."""
    registration = get_own_registration_or_404(request.user, pk)
    complete = not registration_errors(registration)
    documents = _current_documents(registration) if complete else {}
    context = {
        "registration": registration,
        "complete": complete,
        "confirmation": documents.get(GeneratedDocumentKind.CONFIRMATION),
        "engagement": documents.get(GeneratedDocumentKind.ENGAGEMENT_FORM),
        "preparing": complete and (GeneratedDocumentKind.CONFIRMATION not in documents
                                   or (registration.engagement_etudiant and GeneratedDocumentKind.ENGAGEMENT_FORM not in documents)),
        "pieces": required_pieces(registration),
        "title": _("Mes documents"),
    }
    return render(request, "documents/my_documents.html", context)


@login_required
def documents_status(request, pk):
    """For the page's polling while the PDF is being prepared."""
    registration = get_own_registration_or_404(request.user, pk)
    documents = _current_documents(registration)
    return JsonResponse({"confirmation_ready": GeneratedDocumentKind.CONFIRMATION in documents})


@login_required
def download_generated(request, pk, kind):
    registration = get_own_registration_or_404(request.user, pk)
    document = _current_documents(registration).get(kind)
    if document is None:
        raise Http404
    response = FileResponse(document.file.open("rb"), as_attachment=True,
                            filename=f"{document.get_kind_display()} {registration.number} v{document.version}.pdf",
                            content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response
