from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from documents.models import GeneratedDocument, PieceKind, Requirement


@admin.register(PieceKind)
class PieceKindAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "position"]
    list_editable = ["position"]
    search_fields = ["name", "code"]


@admin.register(Requirement)
class RequirementAdmin(admin.ModelAdmin):
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
