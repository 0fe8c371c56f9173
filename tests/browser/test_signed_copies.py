"""On a phone, the candidate uploads photos of the signed confirmation and is told at once what
each one is: an older version, another candidate's, or the current one."""

import re

import pytest
from playwright.sync_api import expect

from documents import pdf
from documents.requirements import required_pieces
from exams.models import Registration
from tests import photographs
from tests.browser.helpers import open_my_pieces
from tests.factories import RegistrationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = "/tmp/screenshots"


def photo(registration, version, tmp_path, name):
    current = registration.version
    registration.version = version
    confirmation = pdf.confirmation_pdf(registration, required_pieces(registration))
    registration.version = current
    page = photographs.sign(photographs.rendered_page(confirmation), photographs.signature_box(confirmation), seed=version)
    path = tmp_path / name
    path.write_bytes(photographs.photograph(page, seed=version, rotation=12, tilt=15, megapixels=6, uneven_light=0.5))
    return path


def upload(page, path):
    section = page.locator("#piece-confirmation")
    section.locator("input[type=file]").set_input_files(str(path))
    section.get_by_role("button", name="Téléverser").click()
    return page.locator("#piece-confirmation")


def test_on_a_phone_each_photo_of_the_confirmation_is_judged_at_once(live_server, phone, registration, tmp_path):
    Registration.objects.filter(pk=registration.pk).update(version=7)
    registration.refresh_from_db()
    someone_else = RegistrationFactory(candidate=UserFactory(), session=registration.session, number="2125-000002", version=7)
    open_my_pieces(live_server, phone, registration)

    section = upload(phone, photo(someone_else, 7, tmp_path, "photo-de-lami.jpg"))
    expect(section.locator(".portal-upload-message")).to_contain_text("Ce document n'est pas votre confirmation d'inscription")
    expect(section).to_contain_text("Manquante")

    section = upload(phone, photo(registration, 5, tmp_path, "ancienne.jpg"))
    expect(section).to_contain_text("Version 5 dépassée")
    expect(section).to_contain_text(re.compile(
        r"Ce document est la version 5\s?: vous avez modifié votre inscription depuis\. Imprimez et signez la version 7\."))
    phone.screenshot(path=f"{SCREENSHOTS}/signed-copy-outdated-phone.png", full_page=True)

    section = upload(phone, photo(registration, 7, tmp_path, "signee.jpg"))
    expect(section).to_contain_text("Version à jour")
    expect(section).to_contain_text("C'est bien la version 7, la plus récente.")
    section.scroll_into_view_if_needed()
    phone.screenshot(path=f"{SCREENSHOTS}/signed-copy-current-phone.png", full_page=True)


def test_the_verification_page_says_only_whether_the_code_is_current(live_server, phone, registration):
    from documents.models import GeneratedDocument
    from documents.tasks import render_registration_documents

    render_registration_documents.delay(registration.pk, registration.version)
    code = GeneratedDocument.objects.get(registration=registration, kind="confirmation").verification_code
    phone.goto(f"{live_server.url}/verifier/{code}")
    expect(phone.get_by_role("heading", name=re.compile(f"Le code {code} est valide"))).to_be_visible()
    expect(phone.get_by_text("c'est la version en vigueur de cette inscription")).to_be_visible()
    expect(phone.locator("main")).not_to_contain_text(registration.number)
    phone.screenshot(path=f"{SCREENSHOTS}/verify-phone.png", full_page=True)
