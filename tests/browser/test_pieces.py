import pytest
from playwright.sync_api import expect

from exams.models import Registration
from tests.browser.helpers import open_my_pieces
from tests.documents.files import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_every_piece_then_lock_the_registration(live_server, page, registration, tmp_path):
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(pdf_bytes())
    open_my_pieces(live_server, page, registration)

    expect(page.get_by_role("button", name="J'ai fourni toutes mes pièces")).to_be_disabled()
    for code in ["confirmation", "identity"]:
        section = page.locator(f"#piece-{code}")
        expect(section).to_contain_text("Manquante")
        section.locator("input[type=file]").set_input_files(str(scan))
        section.get_by_role("button", name="Téléverser").click()
        expect(page.locator(f"#piece-{code}")).to_contain_text("Reçue")

    page.get_by_role("link", name="J'ai fourni toutes mes pièces").click()
    expect(page.get_by_text("Aucune modification ne sera possible ensuite")).to_be_visible()
    page.get_by_label("J'ai vérifié mon inscription et mes pièces").check(force=True)
    page.get_by_role("button", name="Valider définitivement mon inscription").click()

    expect(page.get_by_text("Votre inscription est validée définitivement").first).to_be_visible()
    expect(page.get_by_role("button", name="Téléverser")).to_have_count(0)
    expect(page.get_by_role("button", name="Retirer")).to_have_count(0)
    assert Registration.objects.get(pk=registration.pk).status == "locked"


def test_a_bad_file_is_explained_without_leaving_the_page(live_server, page, registration, tmp_path):
    fake = tmp_path / "carte.pdf"
    fake.write_bytes(b"MZ" + b"\x00" * 100)
    open_my_pieces(live_server, page, registration)
    section = page.locator("#piece-identity")
    section.locator("input[type=file]").set_input_files(str(fake))
    section.get_by_role("button", name="Téléverser").click()
    expect(section.locator(".portal-upload-message")).to_contain_text("n'est ni un PDF, ni une image JPEG ou PNG")
    expect(section).to_contain_text("Manquante")


def test_an_infected_file_is_refused_and_the_candidate_asked_for_another(live_server, page, registration, tmp_path, clamd):
    """A real clamd (started by .ci/run with the EICAR signature) judges the file after the upload."""
    from tests.documents.files import pdf_carrying_eicar

    infected = tmp_path / "carte.pdf"
    infected.write_bytes(pdf_carrying_eicar())
    open_my_pieces(live_server, page, registration)
    section = page.locator("#piece-identity")
    section.locator("input[type=file]").set_input_files(str(infected))
    section.get_by_role("button", name="Téléverser").click()

    section = page.locator("#piece-identity")  # the page comes back once the upload is stored
    expect(section).to_contain_text("Menace détectée : fichier supprimé")
    expect(section).to_contain_text("Cette pièce est à remplacer : l'antivirus a détecté une menace dans le fichier « carte.pdf »")
    expect(section.get_by_role("link", name="carte.pdf", exact=True)).to_have_count(0)
    expect(section.get_by_role("button", name="Téléverser")).to_be_visible()


def test_on_a_phone_the_candidate_is_told_the_antivirus_holds_the_validation_back(live_server, a11y_page, registration, tmp_path):
    """While a file is being scanned, « Mes justificatifs » says so and offers no validation; the
    reason disappears with the verdict, and the button comes back."""
    from documents.models import PieceFile, ScanStatus
    from tests.browser.helpers import PHONE, serious_violations

    scan = tmp_path / "scan.pdf"
    scan.write_bytes(pdf_bytes())
    page = a11y_page
    page.set_viewport_size(PHONE)
    open_my_pieces(live_server, page, registration)
    for code in ["confirmation", "identity"]:
        section = page.locator(f"#piece-{code}")
        section.locator("input[type=file]").set_input_files(str(scan))
        section.get_by_role("button", name="Téléverser").click()
        expect(page.locator(f"#piece-{code}")).to_contain_text("Reçue")
    PieceFile.objects.filter(piece__registration=registration).update(scan_status=ScanStatus.PENDING)

    page.reload()
    blockers = page.get_by_text("Vous ne pouvez pas encore valider votre inscription")
    expect(blockers).to_be_visible()
    expect(page.get_by_text("l'analyse antivirus de vos derniers fichiers n'est pas terminée")).to_be_visible()
    expect(page.get_by_role("button", name="J'ai fourni toutes mes pièces")).to_be_disabled()
    assert serious_violations(page) == []
    page.screenshot(path="/tmp/shots/pieces-scan-pending-phone.png", full_page=True)

    PieceFile.objects.filter(piece__registration=registration).update(scan_status=ScanStatus.CLEAN)
    page.reload()
    expect(page.get_by_text("Vous ne pouvez pas encore valider votre inscription")).to_have_count(0)
    expect(page.get_by_role("link", name="J'ai fourni toutes mes pièces")).to_be_visible()
