from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from import_export import fields

from common import converters  # noqa: F401 - registers <id:…>, a row id within the database's range
from common.admin_history import ReadOnlyHistoryAdmin
from common.private_files import private_preview_response
from common.typography import french_text
from documents import review, signed_copies
from documents.confirmation_code import verification_code
from documents.models import GeneratedDocument, Piece, PieceFile, PieceKind, PieceStatus, RejectionReason, Requirement, ScanStatus, SignedCopyVerdict
from documents.requirements import requirements_copy
from exams import admin as exams_admin
from exams.models import ExamSession, Registration


@admin.register(PieceKind)
class PieceKindAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "position"]
    list_editable = ["position"]
    search_fields = ["name", "code"]


@admin.register(RejectionReason)
class RejectionReasonAdmin(admin.ModelAdmin):
    list_display = ["label", "kinds", "position"]
    filter_horizontal = ["piece_kinds"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("piece_kinds")

    @admin.display(description=_("pièces concernées"))
    def kinds(self, reason):
        return ", ".join(kind.name for kind in reason.piece_kinds.all()) or _("toutes")


@admin.register(Requirement)
class RequirementAdmin(ReadOnlyHistoryAdmin):
    list_display = ["piece_kind", "session", "condition", "for_scolaire", "for_apprentissage", "for_continue",
                    "for_experience", "specialty_list"]
    list_filter = ["session", "condition", "piece_kind"]
    list_select_related = ["piece_kind", "session"]
    filter_horizontal = ["specialties", "options"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("specialties", "options")

    @admin.display(description=_("spécialités"))
    def specialty_list(self, requirement):
        names = [s.code for s in requirement.specialties.all()]
        options = [o.code for o in requirement.options.all()]
        return (", ".join(names) or _("toutes")) + (f" (options {', '.join(options)})" if options else "")


@admin.register(GeneratedDocument)
class GeneratedDocumentAdmin(admin.ModelAdmin):
    list_display = ["registration", "kind", "version", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["registration"]
    search_fields = ["registration__number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReviewForm(forms.Form):
    reasons = forms.ModelMultipleChoiceField(queryset=RejectionReason.objects.none(), required=False,
                                             widget=forms.CheckboxSelectMultiple, label=_("Motifs"))
    comment = forms.CharField(label=_("Précision pour le candidat"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    replace_until = forms.DateTimeField(label=_("À remplacer avant le"), required=False,
                                        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))

    def __init__(self, *args, piece, **kwargs):
        super().__init__(*args, **kwargs)
        from django.db.models import Q

        self.fields["reasons"].queryset = RejectionReason.objects.filter(
            Q(piece_kinds=piece.piece_kind) | Q(piece_kinds__isnull=True)).distinct()
        self.fields["replace_until"].initial = review.replacement_deadline(piece.registration.session, timezone.now())


class ReopenForm(forms.Form):
    """Staff reopen a piece of a locked registration, even an accepted one."""

    reopen_reason = forms.CharField(label=_("Motif pour le candidat"), widget=forms.Textarea(attrs={"rows": 3}))
    reopen_until = forms.DateTimeField(label=_("À remplacer avant le"),
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))

    def __init__(self, *args, piece, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reopen_until"].initial = review.replacement_deadline(piece.registration.session, timezone.now())


# The pieces a staff member passed (« Passer ») in this session: the queue leaves them out until nothing else is left.
SKIPPED_SESSION_KEY = "review_skipped"


@admin.register(Piece)
class PieceAdmin(ReadOnlyHistoryAdmin):
    """Pieces to review: the queue takes the oldest received piece first."""

    # At 1366 px beside the filters, without scrolling sideways (as the registrations list): short
    # dates, and who reviewed and when in one column.
    list_display = ["received", "registration_number", "candidate", "piece_kind", "status", "reviewed", "review_link"]

    class Media:
        css = {"all": ["common/css/admin_lists.css"]}
    list_filter = ["status", "piece_kind", "registration__session"]
    search_fields = ["registration__number", "registration__candidate__email", "registration__candidate__last_name"]
    list_select_related = ["registration__candidate", "piece_kind", "reviewed_by"]
    ordering = ["updated_at", "pk"]
    show_full_result_count = False
    readonly_fields = ["registration", "piece_kind", "status", "review_reason", "replace_until", "updated_at", "reviewed_at", "reviewed_by"]
    history_list_display = ["status", "review_reason"]
    change_list_template = "admin/documents/piece/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("reçue le"), ordering="updated_at")
    def received(self, piece):
        return date_format(timezone.localtime(piece.updated_at), "SHORT_DATETIME_FORMAT")

    @admin.display(description=_("contrôlée"), ordering="reviewed_at")
    def reviewed(self, piece):
        if piece.reviewed_at is None:
            return "—"
        who = piece.reviewed_by.get_full_name() or piece.reviewed_by.email if piece.reviewed_by else ""
        when = date_format(timezone.localtime(piece.reviewed_at), "SHORT_DATETIME_FORMAT")
        return f"{when}, {who}" if who else when

    @admin.display(description=_("inscription"), ordering="registration__number")
    def registration_number(self, piece):
        return piece.registration.number

    @admin.display(description=_("candidat"))
    def candidate(self, piece):
        return piece.registration.candidate.listed_name()

    @admin.display(description="")
    def review_link(self, piece):
        if piece.status == PieceStatus.RECEIVED:
            label = _("Contrôler")
        elif piece.status == PieceStatus.ACCEPTED and piece.registration.is_locked:
            label = _("Rouvrir")
        else:
            return ""
        return format_html('<a class="button" href="{}">{}</a>', reverse("admin:documents_piece_review", args=[piece.pk]), label)

    def get_urls(self):
        return [
            path("file-de-controle/", self.admin_site.admin_view(self.queue_view), name="documents_piece_queue"),
            path("<id:pk>/controle/", self.admin_site.admin_view(self.review_view), name="documents_piece_review"),
            path("fichier/<id:file_pk>/apercu/", self.admin_site.admin_view(self.preview_view), name="documents_piece_preview"),
            *super().get_urls(),
        ]

    def queue_view(self, request):
        """The oldest piece nobody else has open, claimed for this staff member."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        skipped = request.session.get(SKIPPED_SESSION_KEY, [])
        piece = review.next_piece_to_review(by=request.user, skipped=skipped)
        if piece is None:
            request.session.pop(SKIPPED_SESSION_KEY, None)  # next time, the pieces passed come back
            held = review.pieces_held_by_colleagues(by=request.user)
            if held:
                messages.info(request, ngettext(
                    "Aucune pièce libre : %(count)d pièce est en cours de contrôle par un collègue.",
                    "Aucune pièce libre : %(count)d pièces sont en cours de contrôle par des collègues.", held) % {"count": held})
            elif skipped:
                messages.info(request, _("Aucune autre pièce n'attend de contrôle : les pièces passées vous seront proposées à nouveau."))
            else:
                messages.success(request, _("Aucune pièce n'attend de contrôle."))
            return redirect("admin:documents_piece_changelist")
        return redirect("admin:documents_piece_review", pk=piece.pk)

    def review_view(self, request, pk):
        if not self.has_change_permission(request):
            raise PermissionDenied
        piece = get_object_or_404(Piece.objects.select_related(
            "registration__candidate", "registration__session", "registration__specialty", "registration__option", "piece_kind",
            "reviewed_by"), pk=pk)
        decision = request.POST.get("decision")
        if request.method == "POST" and decision == "skip":
            review.piece_release(piece=piece, by=request.user)
            request.session[SKIPPED_SESSION_KEY] = [*request.session.get(SKIPPED_SESSION_KEY, []), piece.pk]
            return redirect("admin:documents_piece_queue")
        form = ReviewForm(request.POST if decision in ("accept", "replace") else None, piece=piece)
        reopen_form = ReopenForm(request.POST if decision == "reopen" else None, piece=piece)
        if decision == "reopen" and reopen_form.is_valid():
            return self._reopen(request, piece, reopen_form)
        if decision in ("accept", "replace") and form.is_valid():
            return self._decide(request, piece, form, accept=decision == "accept")
        claimed = piece.status == PieceStatus.RECEIVED and review.piece_claim(piece=piece, by=request.user)
        if not claimed:
            piece.refresh_from_db(fields=["claimed_by", "claimed_until"])
        files = list(piece.files.all())
        # Sent back by the candidate after staff's request (the antivirus's own request names no staff member and stays unsaid).
        asked = piece.review_reason and piece.status == PieceStatus.RECEIVED and piece.reviewed_at is not None
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "title": _("Contrôle d'une pièce"),
            "piece": piece, "form": form, "registration": piece.registration,
            # Staff see only what the antivirus let through; an infected file is not even listed.
            "files": [f for f in files if f.can_be_served],
            "new_files": {f.pk for f in piece.files_since_request()} if asked and piece.reviewed_at else set(),
            "earlier_reason": piece.review_reason if asked else "",
            "held_by_other": piece.claimed_by if (not claimed and piece.status == PieceStatus.RECEIVED and piece.claimed_until
                                                  and piece.claimed_until > timezone.now()) else None,
            "reopen_form": reopen_form if piece.registration.is_locked and piece.status == PieceStatus.ACCEPTED else None,
            "scanning": [f for f in files if f.scan_status == ScanStatus.PENDING],
            "copy_notes": {f.pk: signed_copies.signed_copy_staff_note(f, piece.registration) for f in files if f.qr_reading},
            "infected_count": sum(f.is_infected for f in files),
            "awaiting": review.review_queue().count(),
        }
        return TemplateResponse(request, "admin/documents/piece/review.html", context)

    def _decide(self, request, piece, form, *, accept):
        try:
            review.piece_review(piece=piece, accept=accept, reasons=form.cleaned_data["reasons"],
                                comment=form.cleaned_data["comment"], replace_until=form.cleaned_data["replace_until"],
                                by=request.user)
        except PermissionDenied as error:
            messages.error(request, str(error))
            return redirect("admin:documents_piece_review", pk=piece.pk)
        messages.success(request, _("%(piece)s de %(number)s : %(decision)s.") % {
            "piece": piece.piece_kind.name, "number": piece.registration.number,
            "decision": _("conforme") if accept else _("à remplacer")})
        return redirect("admin:documents_piece_queue")

    def _reopen(self, request, piece, form):
        try:
            review.piece_reopen(piece=piece, reason=form.cleaned_data["reopen_reason"],
                                replace_until=form.cleaned_data["reopen_until"], by=request.user)
        except PermissionDenied as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("%(piece)s de %(number)s : rouverte, le candidat a reçu un courriel.") % {
                "piece": piece.piece_kind.name, "number": piece.registration.number})
        return redirect("admin:documents_piece_review", pk=piece.pk)

    @xframe_options_sameorigin
    def preview_view(self, request, file_pk):
        """The file shown inside the review page: staff only, same origin, never run as a page."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        piece_file = get_object_or_404(PieceFile, pk=file_pk)
        if not piece_file.can_be_served:
            raise Http404
        return private_preview_response(piece_file.file, piece_file.content_type)


# The registration seen as a dossier: exams/admin.py's pages, with the pieces. documents stands on
# exams, so it extends exams' admin classes (as one extends Django's UserAdmin) and registers them
# again in their place; exams' admin knows nothing of pieces.

class ExamSessionAdmin(exams_admin.ExamSessionAdmin):
    actions = ["copy_requirements_from_previous"]

    @admin.action(description=_("Reprendre la matrice des pièces de la session précédente"))
    def copy_requirements_from_previous(self, request, queryset):
        for session in queryset:
            previous = ExamSession.objects.filter(year__lt=session.year, requirements__isnull=False).order_by("-year").first()
            if previous is None:
                self.message_user(request, _("%(session)s : aucune session précédente n'a de matrice.") % {"session": session})
                continue
            copied = requirements_copy(from_session=previous, to_session=session)
            self.message_user(request, _("%(session)s : %(n)d pièce(s) reprise(s) de %(previous)s.") % {
                "session": session, "n": copied, "previous": previous})


class PieceInline(admin.TabularInline):
    """The pieces given, with their files; a signed confirmation of an older version is flagged."""

    model = Piece
    extra = 0
    can_delete = False
    fields = ["piece_kind", "status", "file_links", "review_reason", "replace_until"]
    readonly_fields = ["piece_kind", "status", "file_links", "review_reason", "replace_until"]

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("piece_kind", "registration").prefetch_related("files")

    @admin.display(description=_("fichiers"))
    def file_links(self, piece):
        """Each file with its link and flags, and « Aperçu », which opens it only when asked: a
        registration with a dozen pieces used to load every PDF frame and image with the page."""
        from django.utils.html import format_html_join
        from django.utils.safestring import mark_safe

        return format_html_join(
            mark_safe("<br>"), "<a href=\"{}\">{}</a> — <a href=\"{}\" target=\"_blank\" rel=\"noopener\">{}</a>{}",  # noqa: S308
            ((reverse("documents:file", args=[f.pk]), f.original_name, reverse("admin:documents_piece_preview", args=[f.pk]),
              _("Aperçu"), _copy_flag(f, piece.registration)) for f in piece.files.all() if f.can_be_served),
        ) or _("(aucun fichier analysé et sain)")


def _copy_flag(piece_file, registration):
    note = signed_copies.signed_copy_staff_note(piece_file, registration) if piece_file.qr_reading else None
    if note is None:
        return ""
    return format_html(" <strong>{}{}</strong>", "⚠ " if note.tone in ("error", "warning") else "", note.message)


class SignedCopyFilter(admin.SimpleListFilter):
    """« Version signée » : what the signed confirmation's copies are, together (documents/signed_copies.py)."""

    title = _("version signée")
    parameter_name = "version_signee"

    def lookups(self, request, model_admin):
        return [(SignedCopyVerdict.CURRENT, _("à jour")), (SignedCopyVerdict.OUTDATED, _("ancienne")),
                (SignedCopyVerdict.UNREADABLE, _("illisible")), (SignedCopyVerdict.PENDING, _("lecture en cours"))]

    def queryset(self, request, queryset):
        if self.value() in SignedCopyVerdict.values:
            return signed_copies.registrations_by_signed_copy(queryset, self.value())
        return queryset


class CompleteFilter(admin.SimpleListFilter):
    title = _("dossier complet")
    parameter_name = "complet"

    def lookups(self, request, model_admin):
        return [("oui", _("complet")), ("non", _("incomplet"))]

    def queryset(self, request, queryset):
        complete = Q(completed_at__isnull=False, pieces_missing=0)
        if self.value() == "oui":
            return queryset.filter(complete)
        if self.value() == "non":
            return queryset.exclude(complete)
        return queryset


class AwaitingReviewFilter(admin.SimpleListFilter):
    title = _("pièces en attente de contrôle")
    parameter_name = "a_controler"

    def lookups(self, request, model_admin):
        return [("oui", _("au moins une")), ("non", _("aucune"))]

    def queryset(self, request, queryset):
        awaiting = Exists(Piece.objects.awaiting_review().filter(registration=OuterRef("pk")))
        if self.value() == "oui":
            return queryset.filter(awaiting)
        if self.value() == "non":
            return queryset.filter(~awaiting)
        return queryset


class RegistrationResource(exams_admin.RegistrationResource):
    """The export: each registration with its answers and the state of each of its pieces."""

    pieces = fields.Field(column_name=_("Pièces"))

    class Meta(exams_admin.RegistrationResource.Meta):
        fields = [*exams_admin.RegistrationResource.Meta.fields, "pieces"]
        export_order = fields

    def dehydrate_pieces(self, registration):
        # A text the portal writes, so with the pages' typography (what candidates typed is left as typed).
        return french_text(" ; ".join(f"{p.piece_kind.name} : {p.get_status_display()}" for p in registration.pieces.all()))


class RegistrationAdmin(exams_admin.RegistrationAdmin):
    resource_classes = [RegistrationResource]
    list_filter = ["session", "status", CompleteFilter, AwaitingReviewFilter, SignedCopyFilter,
                   *exams_admin.RegistrationAdmin.list_filter[2:]]
    readonly_fields = [*exams_admin.RegistrationAdmin.readonly_fields, "current_verification_code"]
    inlines = [PieceInline]
    fieldsets = [(None, {"fields": [*exams_admin.RegistrationAdmin.fieldsets[0][1]["fields"], "current_verification_code"]}),
                 *exams_admin.RegistrationAdmin.fieldsets[1:]]

    @admin.display(description=_("code de vérification de la version en vigueur"))
    def current_verification_code(self, registration):
        return verification_code(registration) if registration.number else "—"

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).select_related("candidate", "specialty", "option").prefetch_related(
            Prefetch("pieces", queryset=Piece.objects.select_related("piece_kind")))


for model, model_admin in ((ExamSession, ExamSessionAdmin), (Registration, RegistrationAdmin)):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
