from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from exams.models import ExamSession, Specialty, SpecialtyOption


@admin.register(ExamSession)
class ExamSessionAdmin(admin.ModelAdmin):
    list_display = ["name", "year", "academy", "registration_opens_at", "registration_closes_at", "phase"]
    list_filter = ["academy", "year"]
    search_fields = ["name", "academy"]

    @admin.display(description=_("état"))
    def phase(self, session):
        return session.registration_phase().label


class SpecialtyOptionInline(admin.TabularInline):
    model = SpecialtyOption
    extra = 0


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "option_codes", "requires_r408", "professional_dossier_in_portal", "is_open"]
    list_filter = ["requires_r408", "professional_dossier_in_portal", "is_open"]
    search_fields = ["name", "code"]
    inlines = [SpecialtyOptionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("options")

    @admin.display(description=_("options"))
    def option_codes(self, specialty):
        return ", ".join(option.code for option in specialty.options.all()) or "—"
