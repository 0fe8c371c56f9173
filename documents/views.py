import functools
import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from common.private_files import private_file_response
from documents import completeness, locking, pieces, signed_copies
from documents.confirmation_code import CODE_PATTERN
from documents.forms import UploadForm
from documents.models import GeneratedDocument, GeneratedDocumentKind, Piece, PieceFile
from documents.progress import answers_of, registration_standing
from documents.requirements import required_pieces, spared_pieces
from documents.uploads import UploadRejected
from exams import catalogue
from exams.forms import STEPS, unfinished_answers
from exams.models import Registration
from exams.rules import registration_errors
from exams.views import get_own_registration_or_404


@login_required
def registration_overview(request, pk):
    registration = Registration.objects.for_dashboard(pk, request.user)
    if registration is None:
        raise Http404
    at = timezone.now()
    writable = registration.is_writable(at)
    # Read only when the answers are drawn or judged, not when they come from the cache.
    whole = functools.cache(lambda: get_own_registration_or_404(request.user, pk))
    key = answers_fragment_key(registration, writable)
    answers = cache.get_or_set(answers_cache_key(key), lambda: answers_of(whole()), ANSWERS_CACHE_SECONDS)
    context = {
        "registration": registration,
        "whole_registration": whole,
        "errors": functools.cache(lambda: unfinished_answers(answers.errors, registration)),
        "pieces": answers.required,
        "steps": STEPS,
        "writable": writable,
        "time_left": registration.session.time_left_to_register(at),
        "title": _("Mon inscription"),
        "answers_key": key,
        # Outside the cached fragment: a piece received, reviewed or reopened changes neither the
        # version nor the status, and must show at once (only the answers' verdict is kept).
        "standing": registration_standing(registration, at=at, answers=answers),
    }
    return render(request, "documents/overview.html", context)


# As long as the answers fragment (documents/overview.html): both are drawn from the same key.
ANSWERS_CACHE_SECONDS = 600


def answers_fragment_key(registration, writable):
    """What the dashboard's answers, completeness and pieces are drawn from (documents/overview.html).

    The dashboard is the page asked most on the deadline evening, and drawing them is most of
    its cost: they are drawn once per version of the registration (it grows with every saved
    change, whoever makes it: the candidate, or staff in admin) and per state of the catalogue,
    and drawn again as soon as either changes, with nothing to clear; and whether the identity
    piece is spared (FranceConnect certified the identity, and the session spares it). Locking and cancelling
    change the status, not the version: it is part of the key too.
    """
    return repr([registration.pk, registration.number, registration.version, registration.status,
                 catalogue.generation(), writable, registration.identity_piece_spared])


def answers_cache_key(fragment_key):
    """The cache key of what the answers decide (progress.answers_of): its messages are in the page's language."""
    return f"documents:answers:{hashlib.sha256(fragment_key.encode()).hexdigest()}:{get_language()}"


def _current_documents(registration):
    documents = GeneratedDocument.objects.filter(registration=registration, version=registration.version)
    return {document.kind: document for document in documents}


@login_required
def my_documents(request, pk):
    """« Mes documents »: the confirmation to print and sign, and the list of pieces to upload."""
    registration = get_own_registration_or_404(request.user, pk)
    errors = registration_errors(registration)
    complete = not errors
    documents = _current_documents(registration) if complete else {}
    context = {
        "registration": registration,
        "complete": complete,
        "unfinished": unfinished_answers(errors, registration),
        "confirmation": documents.get(GeneratedDocumentKind.CONFIRMATION),
        "engagement": documents.get(GeneratedDocumentKind.ENGAGEMENT_FORM),
        "preparing": complete and (GeneratedDocumentKind.CONFIRMATION not in documents
                                   or (registration.engagement_etudiant and GeneratedDocumentKind.ENGAGEMENT_FORM not in documents)),
        "pieces": required_pieces(registration),
        "spared": spared_pieces(registration),
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
    return private_file_response(document.file, f"{document.get_kind_display()} {registration.number} v{document.version}.pdf",
                                 "application/pdf")


def _received_at(request):
    return getattr(request, "received_at", None) or timezone.now()


@login_required
def my_pieces(request, pk):
    """« Mes justificatifs »: each required piece, its state, its files, and the final button."""
    registration = get_own_registration_or_404(request.user, pk)
    at = timezone.now()
    states = completeness.piece_states(registration)
    writable = registration.is_writable(at)
    context = {
        "registration": registration,
        "states": states,
        "writable": writable,
        "replaceable": {s.piece.pk for s in states if s.piece and s.piece.can_be_replaced(at)},
        # Reopened after the lock: sent back by « Renvoyer pour contrôle » once a new file is there.
        "resubmittable": {s.piece.pk for s in states if s.piece and pieces.piece_is_reopened(registration=registration, piece=s.piece, at=at)
                          and any(not f.is_infected for f in s.piece.files_since_request())},
        "dossier": completeness.dossier_state(registration),
        "spared": completeness.spared_states(registration),
        "dossier_open": registration.session.is_dossier_upload_open(at),
        "blockers": completeness.validation_blockers(registration, states),
        "copy_notes": {f.pk: signed_copies.signed_copy_note(f, registration) for s in states for f in s.files if f.qr_reading},
        "max_megabytes": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
        "time_left": registration.session.time_left_to_register(at),
        "title": _("Mes justificatifs"),
    }
    return render(request, "documents/my_pieces.html", context)


@login_required
@require_POST
def upload(request, pk, kind):
    at = _received_at(request)  # before the body is read: the upload's start decides the deadline
    registration = get_own_registration_or_404(request.user, pk)
    required = {piece.kind.code: piece.kind for piece in required_pieces(registration)}
    dossier = completeness.dossier_state(registration)
    if dossier:
        required[dossier.required.kind.code] = dossier.required.kind
    if kind not in required:
        raise Http404
    form = UploadForm(request.POST, request.FILES)
    form.is_valid()
    try:
        stored = pieces.piece_upload(registration=registration, piece_kind=required[kind],
                                       uploads=request.FILES.getlist("files"), combine=form.cleaned_data.get("combine", False), at=at)
    except (UploadRejected, pieces.UploadOvertaken) as error:
        return _upload_answer(request, registration, kind, error=str(error))
    message = _("%(piece)s : fichier reçu.") % {"piece": required[kind].name}
    notes = [signed_copies.signed_copy_note(f, registration) for f in stored if f.qr_reading]
    warning = any(note.tone != "success" for note in notes)
    if notes:
        message = " ".join([message, *dict.fromkeys(note.message for note in notes)])
    return _upload_answer(request, registration, kind, message=message, warning=warning)


def _upload_answer(request, registration, kind, *, message=None, error=None, warning=False):
    """JSON for the page's progress-bar upload, or a redirect with a message without JavaScript."""
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return JsonResponse({"ok": error is None, "message": error or message}, status=400 if error else 200)
    if error:
        messages.error(request, error)
    elif warning:
        messages.warning(request, message)
    else:
        messages.success(request, message)
    return redirect(f"{reverse('documents:pieces', args=[registration.pk])}#piece-{kind}")


@login_required
def delete_file(request, pk, file_pk):
    """« Retirer »: a page that asks for confirmation (the page's <dialog> with JavaScript), then one POST."""
    registration = get_own_registration_or_404(request.user, pk)
    piece_file = get_object_or_404(PieceFile.objects.select_related("piece__piece_kind"), pk=file_pk, piece__registration=registration)
    if request.method == "POST":
        pieces.piece_file_delete(registration=registration, piece_file=piece_file, at=_received_at(request))
        messages.success(request, _("Fichier « %(name)s » retiré.") % {"name": piece_file.original_name})
        return redirect(f"{reverse('documents:pieces', args=[registration.pk])}#piece-{piece_file.piece.piece_kind.code}")
    context = {"registration": registration, "file": piece_file, "title": _("Retirer un fichier")}
    return render(request, "documents/delete_file.html", context)


@login_required
@require_POST
def resubmit(request, pk, piece_pk):
    """« Renvoyer pour contrôle »: a reopened piece goes back to staff with its new files."""
    registration = get_own_registration_or_404(request.user, pk)
    piece = get_object_or_404(Piece.objects.select_related("piece_kind"), pk=piece_pk, registration=registration)
    try:
        pieces.piece_resubmit(registration=registration, piece=piece, at=_received_at(request))
    except pieces.ResubmitRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(piece)s : renvoyée pour contrôle. Le rectorat vous écrira s'il faut encore la remplacer.")
                         % {"piece": piece.piece_kind.name})
    return redirect(f"{reverse('documents:pieces', args=[registration.pk])}#piece-{piece.piece_kind.code}")


@login_required
def download_file(request, file_pk):
    """A piece's file, for its owner and for staff (with their second factor); never shown inline."""
    queryset = PieceFile.objects.select_related("piece__registration")
    staff = request.user.is_staff and request.user.is_verified() and request.user.has_perm("documents.view_piecefile")
    if not staff:
        queryset = queryset.filter(piece__registration__candidate=request.user)
    piece_file = get_object_or_404(queryset, pk=file_pk)
    if not piece_file.can_be_served:  # still being scanned, or infected and deleted
        raise Http404
    return private_file_response(piece_file.file, piece_file.original_name, piece_file.content_type)


@login_required
def finalize(request, pk):
    """« J'ai fourni toutes mes pièces »: a page that says what it means, then one POST."""
    registration = get_own_registration_or_404(request.user, pk)
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Cochez la case pour confirmer que vous avez vérifié vos pièces."))
            return redirect("documents:finalize", pk=registration.pk)
        if locking.registration_finalize(registration=registration, at=_received_at(request)):
            messages.success(request, _("Votre inscription est validée définitivement. Un courriel vous le confirme."))
        else:  # a second click, or a second tab, after the lock: nothing changes, no second email
            messages.info(request, _("Votre inscription était déjà validée définitivement : rien n'a changé."))
        return redirect("documents:pieces", pk=registration.pk)
    context = {"registration": registration, "blockers": completeness.validation_blockers(registration),
               "title": _("J'ai fourni toutes mes pièces")}
    return render(request, "documents/finalize.html", context)


VERIFY_RATE = "30/m"  # per address: enough for a desk checking a pile of copies, far too few to guess codes


def verify(request, code):
    """« /verifier/<code> », the address the confirmation's QR code carries. To anyone it says only
    whether the code is one the portal printed and whether that version is still the current one:
    no name, no number. Staff with their second factor are taken to the registration."""
    title = _("Vérifier une confirmation d'inscription")
    user = request.user
    staff = user.is_authenticated and user.is_staff and user.is_verified() and user.has_perm("exams.view_registration")
    if not staff and is_ratelimited(request, group="verify", key="ip", rate=VERIFY_RATE, increment=True):
        return render(request, "documents/verify.html", {"limited": True, "title": title}, status=429)
    code = code.strip().upper()
    document = None
    if CODE_PATTERN.match(code):
        document = (GeneratedDocument.objects.select_related("registration")
                    .filter(kind=GeneratedDocumentKind.CONFIRMATION, verification_code=code).first())
    if document is not None and staff:
        return redirect("admin:exams_registration_change", document.registration_id)
    registration = document.registration if document else None
    context = {"code": code, "found": document is not None, "cancelled": bool(registration and registration.is_cancelled),
               "current": registration is not None and document.version == registration.version, "title": title}
    return render(request, "documents/verify.html", context, status=200 if document else 404)
