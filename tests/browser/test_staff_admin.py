"""What a « Gestionnaire DEC » member sees at 1366×768: the login's code, the registrations list, the export page."""

import re
from pathlib import Path

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from candidates.management.commands.add_totp_device import totp_device_for
from exams.models import Specialty
from tests.factories import RegistrationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}
PASSWORD = "un mot de passe solide"  # the factories' password
SHOTS = Path("/tmp/shots")


def current_code(device, *, wrong=False):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{(totp.token() + (500_000 if wrong else 0)) % 10**device.digits:0{device.digits}d}"


def shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"f5-{name}.png"))


def scrolls_sideways(page):
    """The page, or the list's own box (admin lets `.results` scroll by itself), wider than the screen."""
    return page.evaluate("""() => [document.scrollingElement, ...document.querySelectorAll('#changelist .results')]
        .some(box => box.scrollWidth > box.clientWidth)""")


def widths(page):
    return page.evaluate("""() => [...document.querySelectorAll('#result_list thead th')].map(
        th => th.innerText.trim() + ' ' + Math.round(th.getBoundingClientRect().width)).concat(
        [...document.querySelectorAll('#changelist .results')].map(b => 'results ' + b.scrollWidth + '/' + b.clientWidth))""")


def log_in_to_admin(page, live_server, staff, device):
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Adresse électronique").fill(staff.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_label("Code à 6 chiffres de votre application").fill(current_code(device))
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("link", name="Déconnexion").or_(page.get_by_role("button", name="Déconnexion"))).to_be_visible()


@pytest.fixture
def laptop(page):
    page.set_viewport_size(LAPTOP)
    return page


@pytest.fixture
def registrations():
    """Long names and the longest specialty with an option: the widest rows the list will show."""
    specialty = max(Specialty.objects.filter(options__isnull=False).distinct(), key=lambda s: len(s.name))
    option = specialty.options.first()
    for last_name, first_name in [("De La Fontaine-Saint-Exupéry", "Marie-Charlotte Éléonore"), ("Martin", "Zoé")]:
        RegistrationFactory(candidate=UserFactory(last_name=last_name, first_name=first_name), specialty=specialty,
                            option=option, pathway="ex_formation_continue", status="locked", pieces_missing=0)


def test_the_login_asks_for_the_applications_code_and_explains_a_wrong_one(live_server, laptop, dec_staff):
    device = totp_device_for(dec_staff)
    laptop.goto(live_server.url + "/admin/")
    laptop.get_by_label("Adresse électronique").fill(dec_staff.email)
    laptop.get_by_label("Mot de passe").fill(PASSWORD)
    laptop.get_by_label("Code à 6 chiffres de votre application").fill(current_code(device, wrong=True))
    laptop.get_by_role("button", name="Se connecter").click()

    expect(laptop.get_by_text("Ce code ne correspond pas.")).to_be_visible()
    expect(laptop.get_by_role("combobox")).to_have_count(0)  # one device: no list to choose from
    expect(laptop.get_by_text("OTP")).to_have_count(0)
    shot(laptop, "otp-wrong-code")

    laptop.get_by_label("Mot de passe").fill(PASSWORD)
    laptop.get_by_label("Code à 6 chiffres de votre application").fill(current_code(device))
    laptop.get_by_role("button", name="Se connecter").click()
    expect(laptop.get_by_role("link", name="Inscriptions").first).to_be_visible()


def test_the_registrations_list_shows_names_and_states_without_scrolling_sideways(live_server, laptop, dec_staff, registrations):
    log_in_to_admin(laptop, live_server, dec_staff, totp_device_for(dec_staff))
    laptop.goto(live_server.url + "/admin/exams/registration/")

    expect(laptop.get_by_role("heading", name="Choisir l’élément à modifier : inscription")).to_be_visible()
    expect(laptop.get_by_role("link", name="DE LA FONTAINE-SAINT-EXUPÉRY Marie-Charlotte Éléonore")).to_be_visible()
    expect(laptop.get_by_role("cell", name="Validée définitivement").first).to_be_visible()
    shot(laptop, "registrations-list")
    assert not scrolls_sideways(laptop), " ; ".join(widths(laptop))


def test_the_export_page_lists_the_columns_in_french(live_server, laptop, dec_staff, registrations):
    log_in_to_admin(laptop, live_server, dec_staff, totp_device_for(dec_staff))
    laptop.goto(live_server.url + "/admin/exams/registration/")
    laptop.get_by_role("link", name="Exporter").click()

    select_all = laptop.get_by_label("Tout sélectionner")
    expect(select_all).to_be_checked()
    laptop.get_by_text("Tout sélectionner").click()  # the label toggles its box
    expect(select_all).not_to_be_checked()
    expect(laptop.get_by_label("Candidat", exact=True)).not_to_be_checked()
    laptop.get_by_text("Tout sélectionner").click()
    expect(laptop.get_by_label("Candidat", exact=True)).to_be_checked()
    for label in ["Numéro d'inscription", "Candidat", "Voie de préparation", "État", "Pièces manquantes",
                  "Pièces"]:
        expect(laptop.get_by_label(label, exact=True)).to_be_visible()
    expect(laptop.get_by_text("Select all")).to_have_count(0)
    expect(laptop.get_by_text("Pathway")).to_have_count(0)
    expect(laptop.get_by_role("button", name="Soumettre")).to_have_count(0)
    assert not scrolls_sideways(laptop)
    shot(laptop, "export-page")

    expect(laptop.get_by_label("Format")).to_have_value("0")  # CSV, already chosen
    with laptop.expect_download() as download:
        laptop.get_by_role("button", name="Exporter").click()
    assert download.value.suggested_filename.startswith("inscriptions-") and download.value.suggested_filename.endswith(".csv")


def test_the_pieces_list_shows_who_reviewed_what_without_scrolling_sideways(live_server, laptop, dec_staff, registrations):
    from django.utils import timezone

    from documents.models import PieceKind, PieceStatus
    from exams.models import Registration
    from tests.factories import PieceFactory

    longest = max(PieceKind.objects.all(), key=lambda kind: len(kind.name))
    for registration in Registration.objects.all():
        PieceFactory(registration=registration, piece_kind=longest, status=PieceStatus.TO_REPLACE, reviewed_by=dec_staff,
                     reviewed_at=timezone.now(), review_reason="Document illisible")
    log_in_to_admin(laptop, live_server, dec_staff, totp_device_for(dec_staff))
    laptop.goto(live_server.url + "/admin/documents/piece/")

    expect(laptop.get_by_role("cell", name="DE LA FONTAINE-SAINT-EXUPÉRY Marie-Charlotte Éléonore")).to_be_visible()
    expect(laptop.get_by_text(f", {dec_staff.get_full_name()}").first).to_be_visible()
    expect(laptop.get_by_text(dec_staff.email)).to_have_count(0)  # a name, not an address
    shot(laptop, "pieces-list")
    assert not scrolls_sideways(laptop), " ; ".join(widths(laptop))


def test_staff_edit_a_specialtys_languages_and_attest_a_residence(live_server, laptop, dec_staff):
    """Issue 16: the languages each specialty allows are a table staff edit on the specialty; a
    residence the map of départements cannot class is attested from the registrations list."""
    log_in_to_admin(laptop, live_server, dec_staff, totp_device_for(dec_staff))
    bat = Specialty.objects.get(code="BAT")
    laptop.goto(f"{live_server.url}/admin/exams/specialty/{bat.pk}/change/")
    languages = laptop.locator("#languages-group")
    expect(languages.get_by_role("heading", name="Langues proposées à l'épreuve de langue obligatoire")).to_be_visible()
    languages.get_by_role("button", name=re.compile("^Ajouter une ligne")).click()
    languages.locator("#id_languages-1-language").select_option(label="Espagnol")
    languages.scroll_into_view_if_needed()
    shot(laptop, "specialty-languages")
    laptop.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(laptop.get_by_role("row", name="Bâtiment").get_by_role("cell", name="Anglais, Espagnol")).to_be_visible()
    assert bat.allowed_languages() == ["anglais", "espagnol"]

    registration = RegistrationFactory(candidate=UserFactory(last_name="Le Goff", first_name="Maël", postal_code="35300",
                                                             city="Fougères", address_line="2 rue Nationale"))
    laptop.goto(live_server.url + "/admin/exams/registration/")
    laptop.get_by_role("row", name="LE GOFF Maël").get_by_role("checkbox").check()
    laptop.locator("select[name=action]").select_option(
        label="Attester la résidence dans l'académie")
    laptop.get_by_role("button", name="Envoyer").click()
    expect(laptop.get_by_text("1 résidence attestée pour le code postal actuel du candidat.")).to_be_visible()
    shot(laptop, "residence-attested")
    registration.refresh_from_db()
    assert registration.residence_attested_postal_code == "35300" and registration.residence_attested_by == dec_staff
