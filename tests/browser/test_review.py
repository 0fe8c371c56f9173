import pytest
from django.contrib.auth.models import Group
from django_otp.oath import TOTP
from playwright.sync_api import expect

from candidates.management.commands.add_totp_device import totp_device_for
from documents.locking import registration_finalize
from documents.models import Piece
from tests.documents.helpers import give_every_piece
from tests.factories import RegistrationFactory, StaffFactory, paris

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "une phrase de passe solide"


def current_code(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def test_a_dec_agent_reviews_the_oldest_piece_from_the_queue(live_server, page, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    registration = RegistrationFactory()
    give_every_piece(registration, paris(2023, 11, 1))
    registration_finalize(registration=registration, at=paris(2023, 11, 1))
    agent = StaffFactory(email="agent@ac-normandie.fr", password=PASSWORD)
    agent.groups.add(Group.objects.get(name="Gestionnaire DEC"))
    device = totp_device_for(agent)

    page.goto(live_server.url + "/admin/")
    page.locator("#id_username").fill("agent@ac-normandie.fr")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_otp_token").fill(current_code(device))
    page.locator("input[type=submit]").click()

    page.get_by_role("link", name="Contrôler les pièces en attente").click()
    expect(page.get_by_role("heading", name="Confirmation d'inscription datée et signée — Reçue, en attente de contrôle")).to_be_visible()
    expect(page.locator("iframe")).to_have_count(1)
    page.get_by_role("button", name="Conforme").click()

    expect(page.get_by_text("Confirmation d'inscription datée et signée de " + registration.number + " : conforme.")).to_be_visible()
    expect(page.get_by_role("heading", name="Pièce d'identité — Reçue, en attente de contrôle")).to_be_visible()
    page.get_by_label("Pièce d'identité expirée").check()
    page.get_by_label("Précision pour le candidat").fill("Carte expirée en 2022.")
    page.get_by_role("button", name="À remplacer").last.click()

    expect(page.get_by_text("Aucune pièce n'attend de contrôle.")).to_be_visible()
    statuses = dict(Piece.objects.filter(registration=registration).values_list("piece_kind__code", "status"))
    assert statuses == {"confirmation": "accepted", "identity": "to_replace"}
