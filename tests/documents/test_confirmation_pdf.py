import html
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from documents.confirmation_code import verification_code
from documents.models import GeneratedDocument
from documents.tasks import render_registration_documents
from tests.factories import RegistrationFactory
from tests.portal.helpers import log_in_with_second_factor

pytestmark = pytest.mark.django_db


def pdf_text(document):
    with document.file.open("rb") as handle:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)


@pytest.fixture
def registration(candidate):
    return RegistrationFactory(candidate=candidate, version=3, engagement_etudiant=True)


def test_the_confirmation_holds_identity_answers_pieces_version_and_code(registration):
    render_registration_documents.delay(registration.pk, 3)
    text = pdf_text(GeneratedDocument.objects.get(registration=registration, kind="confirmation"))
    for expected in ["Confirmation d'inscription", "MARTIN", "Camille", "Comptabilité et gestion", "version 3",
                     registration.number, verification_code(registration), "Date et signature", "Pièce d'identité",
                     "Formulaire engagement étudiant", "Académie de Normandie", "15 novembre 2023 à 17h00"]:
        assert expected in text, expected


def test_the_engagement_form_is_made_for_those_who_chose_it(registration):
    render_registration_documents.delay(registration.pk, 3)
    assert "engagement étudiant" in pdf_text(GeneratedDocument.objects.get(registration=registration, kind="engagement"))


def test_each_version_is_made_once_even_if_the_task_runs_twice(registration):
    render_registration_documents.delay(registration.pk, 3)
    render_registration_documents.delay(registration.pk, 3)
    assert GeneratedDocument.objects.filter(registration=registration, kind="confirmation").count() == 1


def test_a_task_for_an_outdated_version_makes_nothing(registration):
    render_registration_documents.delay(registration.pk, 2)
    assert not GeneratedDocument.objects.exists()


def test_the_verification_code_is_bound_to_the_version(registration):
    code = verification_code(registration)
    registration.version = 4
    assert verification_code(registration) != code


def test_mes_documents_says_it_is_preparing_then_offers_the_pdf(client, candidate, registration):
    client.force_login(candidate)
    page = client.get(reverse("documents:mine", args=[registration.pk])).content.decode()
    assert "en cours de préparation" in page
    render_registration_documents.delay(registration.pk, 3)
    page = client.get(reverse("documents:mine", args=[registration.pk])).content.decode()
    assert reverse("documents:download", args=[registration.pk, "confirmation"]) in page
    response = client.get(reverse("documents:download", args=[registration.pk, "confirmation"]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_an_incomplete_registration_gets_no_pdf(client, candidate):
    registration = RegistrationFactory(candidate=candidate, language="")
    client.force_login(candidate)
    page = html.unescape(client.get(reverse("documents:mine", args=[registration.pk])).content.decode())
    assert "La confirmation d'inscription sera produite ici dès que votre inscription sera complète." in page
    step_url = reverse("exams:step", args=[registration.pk, "specialite"])
    assert f'<a href="{step_url}">Langue vivante obligatoire</a>' in page
    assert reverse("documents:download", args=[registration.pk, "confirmation"]) not in page


def test_staff_see_the_current_verification_code_and_versions(client, staff, registration):
    log_in_with_second_factor(client, staff)
    page = client.get(reverse("admin:exams_registration_change", args=[registration.pk])).content.decode()
    assert verification_code(registration) in page
    assert client.get(reverse("admin:exams_registration_history", args=[registration.pk])).status_code == 200


def test_a_staff_correction_makes_a_new_version(client, staff, registration, run_on_commit):
    from exams.services import registration_save

    with run_on_commit():
        registration_save(registration=registration, values={"language": "allemand"}, by_staff=True)
    registration.refresh_from_db()
    assert registration.version == 4 and registration.language == "allemand"
    assert GeneratedDocument.objects.filter(registration=registration, version=4, kind="confirmation").exists()
