import hashlib

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export import fields

from candidates.models import EidasLevel
from common.admin_filters import FrenchRelatedFieldListFilter, french_choices
from common.admin_history import ReadOnlyHistoryAdmin
from common.admin_readonly import ReadOnlyInline, RecordOnlyAdmin
from exams.exports import FormulaSafeExportMixin, FrenchModelResource
from exams.jury import computed_verdict, decision_is_stale, jury_decision_confirm
from exams.models import (
    Convocation,
    ConvocationVersion,
    Epreuve,
    ExamSession,
    ExamSlot,
    JuryDecision,
    Language,
    Mark,
    MarksImport,
    RattrapageChoice,
    Registration,
    Specialty,
    SpecialtyLanguage,
    SpecialtyOption,
)
from exams.services import registration_save, residence_attest


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


class SpecialtyLanguageInline(admin.TabularInline):
    """The languages the specialty's regulation allows for its mandatory language épreuve."""

    model = SpecialtyLanguage
    extra = 0
    verbose_name = _("langue proposée à l'épreuve de langue obligatoire")
    verbose_name_plural = _("langues proposées à l'épreuve de langue obligatoire")


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "option_codes", "language_names", "professional_dossier_in_portal", "is_open"]
    list_filter = ["professional_dossier_in_portal", "is_open", "languages__language"]
    search_fields = ["name", "code"]
    inlines = [SpecialtyOptionInline, SpecialtyLanguageInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "is_open"]}),
        (_("Dossier professionnel"), {"fields": ["professional_dossier_in_portal", "dossier_pilot_academy",
                                                 "dossier_instructions", "dossier_instructions_url"],
                                      "description": _("Sans dépôt sur le portail, « Mes documents » donne aux candidats "
                                                       "les consignes de l'académie pilote.")}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("options", "languages")

    @admin.display(description=_("options"))
    def option_codes(self, specialty):
        return ", ".join(option.code for option in specialty.options.all()) or "—"

    @admin.display(description=_("langues"))
    def language_names(self, specialty):
        order = list(Language.values)
        languages = sorted(specialty.languages.all(), key=lambda row: order.index(row.language))
        return ", ".join(row.get_language_display() for row in languages) or _("aucune : à compléter")


class OptionFilter(FrenchRelatedFieldListFilter):
    """Options named with their specialty, read in one query, in French order."""

    def field_choices(self, field, request, model_admin):
        return french_choices((option.pk, str(option)) for option in SpecialtyOption.objects.select_related("specialty"))


class RegistrationResource(FrenchModelResource):
    """The export: each registration with its answers (documents/admin.py adds its pieces)."""

    candidate_name = fields.Field(column_name=_("Candidat"))
    candidate_email = fields.Field(column_name=_("Adresse électronique"), attribute="candidate__email")
    specialty_name = fields.Field(column_name=_("Spécialité"), attribute="specialty__name")
    option_code = fields.Field(column_name=_("Option"), attribute="option__code")

    class Meta:
        model = Registration
        fields = ["number", "candidate_name", "candidate_email", "specialty_name", "option_code", "pathway", "status",
                  "version", "pieces_missing", "handicap", "created_at", "locked_at"]
        export_order = fields

    def dehydrate_candidate_name(self, registration):
        return registration.candidate.listed_name()



class IdentityFilter(admin.SimpleListFilter):
    """« Identité » : certified by FranceConnect, at which eIDAS level, or declared by the candidate."""

    title = _("identité")
    parameter_name = "identite"
    DECLARED = "declaree"

    def lookups(self, request, model_admin):
        return [*((level.value, _("Identité certifiée par FranceConnect (%(level)s)") % {"level": level.label}) for level in EidasLevel),
                (self.DECLARED, _("Identité déclarée"))]

    def queryset(self, request, queryset):
        if self.value() == self.DECLARED:
            return queryset.filter(candidate__identity_certified_at__isnull=True)
        if self.value() in EidasLevel.values:
            return queryset.filter(candidate__identity_certified_at__isnull=False, candidate__identity_eidas_level=self.value())
        return queryset


@admin.register(Registration)
class RegistrationAdmin(FormulaSafeExportMixin, ReadOnlyHistoryAdmin):
    resource_classes = [RegistrationResource]
    # What a DEC staff member reads at 1366 px without scrolling sideways: who (by name, as the
    # lists of the rectorate are sorted), what, and where the dossier stands.
    list_display = ["number", "candidate_name", "specialty_and_option", "pathway", "status", "pieces_missing", "updated"]
    list_display_links = ["number", "candidate_name"]
    actions = ["confirm_jury_decisions", "attest_residence"]

    class Media:
        css = {"all": ["common/css/admin_lists.css"]}

    list_filter = ["session", "status", "pathway", "handicap", "specialty", ("option", OptionFilter), IdentityFilter]
    list_per_page = 50
    ordering = ["-pk"]  # newest first, straight from the primary key index
    search_fields = ["number", "candidate__email", "candidate__last_name", "candidate__first_name"]
    list_select_related = ["candidate", "specialty", "option"]
    show_full_result_count = False
    autocomplete_fields = ["candidate"]
    readonly_fields = ["number", "candidate_identity", "status", "version", "created_at", "updated_at", "completed_at", "locked_at", "cancelled_at",
                       "residence_attested_postal_code", "residence_attested_by", "residence_attested_at"]
    history_list_display = ["version", "status"]
    fieldsets = [
        (None, {"fields": ["number", "candidate", "candidate_identity", "session", "status", "version"]}),
        (_("Situation"), {"fields": ["category", "employment_months", "distance_learning_organisation"]}),
        (_("Préparation"), {"fields": ["pathway", "diploma", "two_years_of_training", "apprenticeship_contract_years",
                                       "training_hours", "experience_months", "experience_job", "experience_level",
                                       "experience_field", "experience_field_related"]}),
        (_("Spécialité et épreuves"), {"fields": ["specialty", "option", "language", "distance_language_confirmed",
                                                  "engagement_etudiant"]}),
        (_("Dispenses et bénéfices"), {"fields": ["claims_dispenses", "keeps_grade_benefits", "renounces_benefits",
                                                  "has_positioning_decision", "has_internship_derogation"]}),
        (_("Aménagement d'épreuves"), {"fields": ["handicap", "accommodation"]}),
        (_("Résidence attestée par la DEC"), {"fields": ["residence_attested_postal_code", "residence_attested_by",
                                                          "residence_attested_at"],
                                               "description": _("Par l'action « Attester la résidence dans l'académie » "
                                                                "de la liste des inscriptions.")}),
        (_("Dates"), {"fields": ["created_at", "updated_at", "completed_at", "locked_at", "cancelled_at"]}),
    ]

    @admin.display(description=_("candidat"), ordering="candidate__last_name")
    def candidate_name(self, registration):
        return registration.candidate.listed_name()

    @admin.display(description=_("identité"))
    def candidate_identity(self, registration):
        """« Identité certifiée par FranceConnect (eIDAS 1) le 2 décembre 2026 », or « Identité déclarée »."""
        candidate = registration.candidate
        if candidate is None:
            return "—"
        if candidate.identity_is_certified:
            return _("%(status)s le %(date)s") % {"status": candidate.identity_status(),
                                                 "date": date_format(timezone.localtime(candidate.identity_certified_at), "DATE_FORMAT")}
        return candidate.identity_status()

    @admin.display(description=_("spécialité"), ordering="specialty__name")
    def specialty_and_option(self, registration):
        if registration.specialty is None:
            return "—"
        if registration.option is None:
            return registration.specialty.name
        return f"{registration.specialty.name} (option {registration.option.code})"

    @admin.display(description=_("modifiée le"), ordering="updated_at")
    def updated(self, registration):
        # « 01/12/2026 16h04 », which can wrap, not « 1er décembre 2026 à 16h04 » on one line.
        return date_format(timezone.localtime(registration.updated_at), "SHORT_DATETIME_FORMAT")

    @admin.action(description=_("Confirmer la décision du jury calculée d'après les notes"),
                  permissions=["confirm_jury_decision"])
    def confirm_jury_decisions(self, request, queryset):
        confirmed, waiting, kept = 0, [], 0
        for registration in queryset.select_related("session", "specialty"):
            decision = JuryDecision.objects.filter(registration=registration).first()
            # Never overwritten in bulk: a decision stays as the jury made it, unless a mark changed
            # since and the jury had followed the marks (then the marks decide again, confirmed now).
            if decision is not None and not (decision_is_stale(decision) and not decision.departs_from_the_marks):
                kept += 1
                if decision_is_stale(decision):
                    waiting.append(_("%(number)s : une note a changé depuis la décision du jury, qui s'écartait des "
                                     "notes : confirmez-la à nouveau sur sa page.") % {"number": registration.number})
                continue
            try:
                jury_decision_confirm(registration=registration, by=request.user)
            except ValidationError as error:
                waiting.append(" ".join(error.messages))
            else:
                confirmed += 1
        if confirmed:
            self.message_user(request, ngettext("%(n)d décision du jury confirmée.", "%(n)d décisions du jury confirmées.",
                                                confirmed) % {"n": confirmed})
        if kept:
            self.message_user(request, ngettext(
                "%(n)d inscription avait déjà sa décision du jury : elle n'a pas été modifiée (changez-la sur sa page).",
                "%(n)d inscriptions avaient déjà leur décision du jury : elles n'ont pas été modifiées (changez-les sur leur page).",
                kept) % {"n": kept}, level=messages.WARNING)
        for message in waiting:
            self.message_user(request, message, level=messages.WARNING)

    @admin.action(description=_("Attester la résidence dans l'académie"),
                  permissions=["change"])
    def attest_residence(self, request, queryset):
        attested = 0
        for registration in queryset.select_related("candidate", "session"):
            if residence_attest(registration=registration, by=request.user):
                attested += 1
        self.message_user(request, ngettext(
            "%(n)d résidence attestée pour le code postal actuel du candidat.",
            "%(n)d résidences attestées pour le code postal actuel de chaque candidat.", attested) % {"n": attested})
        if attested < queryset.count():
            self.message_user(request, _("Seules les inscriptions en cours avec une adresse postale peuvent être attestées."),
                              level=messages.WARNING)

    def has_confirm_jury_decision_permission(self, request):
        return request.user.has_perm("exams.add_jurydecision") and request.user.has_perm("exams.change_jurydecision")

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        # The same service as the candidate's pages: a new version, its PDF and its email.
        values = {field: form.cleaned_data[field] for field in form.changed_data}
        registration_save(registration=obj, values=values, by_staff=True)


@admin.register(Epreuve)
class EpreuveAdmin(admin.ModelAdmin):
    list_display = ["specialty", "code", "title", "domain", "coefficient", "form", "is_language"]
    list_filter = ["domain", "form", "is_language", "specialty"]
    search_fields = ["title", "code", "specialty__name"]
    list_select_related = ["specialty"]


@admin.register(ExamSlot)
class ExamSlotAdmin(ReadOnlyHistoryAdmin):
    list_display = ["epreuve", "language", "session", "starts_at", "duration_minutes", "place", "academy"]
    list_filter = ["session", "academy", "language", "epreuve__specialty"]
    list_select_related = ["epreuve__specialty", "session"]
    autocomplete_fields = ["epreuve"]
    actions = ["publish_convocations"]

    def save_model(self, request, obj, form, change):
        from exams.convocations import slot_saved

        before = ExamSlot.objects.select_related("epreuve__specialty", "session").get(pk=obj.pk) if change else None
        super().save_model(request, obj, form, change)
        self._say_renewed(request, slot_saved(slot=obj, before=before))

    def delete_model(self, request, obj):
        from exams.convocations import convocations_on, convocations_renew

        concerned = list(convocations_on(obj).values_list("pk", flat=True))
        super().delete_model(request, obj)
        self._say_renewed(request, convocations_renew(Convocation.objects.filter(pk__in=concerned)))

    def delete_queryset(self, request, queryset):
        from exams.convocations import convocations_on, convocations_renew

        concerned = set()
        for slot in queryset.select_related("session", "epreuve__specialty"):
            concerned.update(convocations_on(slot).values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        self._say_renewed(request, convocations_renew(Convocation.objects.filter(pk__in=concerned)))

    def _say_renewed(self, request, renewed):
        if renewed:
            self.message_user(request, ngettext(
                "%(n)d convocation mise à jour : le candidat reçoit la nouvelle version et un courriel.",
                "%(n)d convocations mises à jour : chaque candidat reçoit la nouvelle version et un courriel.",
                renewed) % {"n": renewed})

    @admin.action(description=_("Publier les convocations des spécialités de ces épreuves"))
    def publish_convocations(self, request, queryset):
        from django.core.exceptions import PermissionDenied

        from exams.convocations import convocations_publish

        for session_id, specialty_id in set(queryset.values_list("session_id", "epreuve__specialty_id")):
            session, specialty = ExamSession.objects.get(pk=session_id), Specialty.objects.get(pk=specialty_id)
            try:
                count = convocations_publish(session=session, specialty=specialty)
            except PermissionDenied as error:
                self.message_user(request, f"BTS {specialty.name} : {error}", level=messages.ERROR)
            else:
                self.message_user(request, _("BTS %(specialty)s : %(n)d convocation(s) publiée(s).") % {
                    "specialty": specialty.name, "n": count})


class ConvocationVersionInline(ReadOnlyInline):
    model = ConvocationVersion
    readonly_fields = ["version", "file", "replaced_at"]


@admin.register(Convocation)
class ConvocationAdmin(ReadOnlyHistoryAdmin):
    list_display = ["registration", "candidate", "version", "published_at", "opened_at"]
    inlines = [ConvocationVersionInline]
    list_filter = [("opened_at", admin.EmptyFieldListFilter), "registration__session", "registration__specialty"]
    search_fields = ["registration__number", "registration__candidate__email", "registration__candidate__last_name"]
    list_select_related = ["registration__candidate"]
    readonly_fields = ["registration", "version", "published_at", "opened_at", "file"]

    @admin.display(description=_("candidat"))
    def candidate(self, convocation):
        return convocation.registration.candidate.get_full_name()

    def has_add_permission(self, request):
        return False


class MarksImportForm(forms.Form):
    session = forms.ModelChoiceField(ExamSession.objects.all(), label=_("Session"))
    group = forms.ChoiceField(choices=Mark.GROUPS, label=_("Groupe"))
    file = forms.FileField(label=_("Fichier CSV : numéro d'inscription ; code épreuve ; note sur 20 ou ABS"))


@admin.register(Mark)
class MarkAdmin(ReadOnlyHistoryAdmin):
    list_display = ["registration", "epreuve", "group", "value", "absent", "dispensed", "carried_over"]
    list_filter = ["group", "absent", "dispensed", "carried_over", "registration__session", "epreuve__specialty"]
    search_fields = ["registration__number", "registration__candidate__last_name"]
    list_select_related = ["registration", "epreuve"]
    autocomplete_fields = ["registration", "epreuve"]
    change_list_template = "admin/exams/mark/change_list.html"

    def get_urls(self):
        from django.urls import path

        return [path("importer/", self.admin_site.admin_view(self.import_view), name="exams_mark_import"), *super().get_urls()]

    def import_view(self, request):
        from django.core.exceptions import PermissionDenied
        from django.template.response import TemplateResponse

        from exams.marks import marks_import_csv

        if not self.has_add_permission(request):
            raise PermissionDenied
        form = MarksImportForm(request.POST if request.method == "POST" else None, request.FILES if request.method == "POST" else None)
        errors = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            raw = upload.read()
            try:
                content = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                content, errors = None, [_("Le fichier doit être enregistré en UTF-8.")]
            if content is not None:
                saved, line_errors = marks_import_csv(
                    session=form.cleaned_data["session"], content=content, group=form.cleaned_data["group"],
                    by=request.user, file_name=upload.name, file_sha256=hashlib.sha256(raw).hexdigest())
                errors = [_("Ligne %(line)d : %(message)s") % {"line": e.line, "message": e.message} for e in line_errors]
                if not errors:
                    self.message_user(request, _("%(n)d note(s) enregistrée(s).") % {"n": saved})
                    from django.shortcuts import redirect

                    return redirect("admin:exams_mark_changelist")
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form, "errors": errors,
                   "title": _("Importer des notes")}
        return TemplateResponse(request, "admin/exams/mark/import.html", context)


class JuryDecisionForm(forms.ModelForm):
    class Meta:
        model = JuryDecision
        fields = ["registration", "verdict"]

    def clean(self):
        cleaned = super().clean()
        registration = cleaned.get("registration") or getattr(self.instance, "registration", None)
        if registration is not None and computed_verdict(registration) is None:
            raise ValidationError(_("Les notes de cette inscription ne permettent pas encore de décision (note ou "
                                    "rattrapage attendu)."))
        return cleaned


@admin.register(JuryDecision)
class JuryDecisionAdmin(ReadOnlyHistoryAdmin):
    """The jury's decisions: confirmed from the registrations list in bulk, or one by one here when
    the jury departs from the marks. Who and when are recorded, never typed."""

    form = JuryDecisionForm
    list_display = ["registration", "candidate", "verdict", "computed", "confirmed_by", "confirmed_at"]
    list_filter = ["verdict", "registration__session", "registration__specialty"]
    search_fields = ["registration__number", "registration__candidate__last_name"]
    list_select_related = ["registration__candidate", "confirmed_by"]
    autocomplete_fields = ["registration"]
    history_list_display = ["verdict", "computed", "confirmed_by"]

    def get_readonly_fields(self, request, obj=None):
        if obj:
            return ["registration", "computed", "confirmed_by", "confirmed_at", "marks_changed_since"]
        return ["computed", "confirmed_by", "confirmed_at"]

    @admin.display(description=_("notes modifiées depuis la décision"))
    def marks_changed_since(self, decision):
        if decision_is_stale(decision):
            return _("Oui : le candidat voit « en attente de la délibération du jury » jusqu'à ce que vous confirmiez à nouveau.")
        return _("Non")

    @admin.display(description=_("candidat"))
    def candidate(self, decision):
        return decision.registration.candidate.listed_name()

    def save_model(self, request, obj, form, change):
        # The form has checked that the marks decide; who and when come from the service.
        decision = jury_decision_confirm(registration=obj.registration, by=request.user, verdict=obj.verdict)
        obj.pk, obj.computed, obj.confirmed_by, obj.confirmed_at = decision.pk, decision.computed, decision.confirmed_by, decision.confirmed_at

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MarksImport)
class MarksImportAdmin(RecordOnlyAdmin):
    """Who imported which marks file, when, and how many lines it saved: read only."""

    list_display = ["imported_at", "file_name", "session", "group", "lines", "imported_by", "sha256"]
    list_filter = ["session", "group"]
    list_select_related = ["session", "imported_by"]


@admin.register(RattrapageChoice)
class RattrapageChoiceAdmin(admin.ModelAdmin):
    list_display = ["registration", "chosen_at"]
    search_fields = ["registration__number"]
    readonly_fields = ["registration", "epreuves", "chosen_at"]
