import pytest
from playwright.sync_api import expect

from documents.models import PieceFile
from tests.browser.helpers import PHONE, open_my_pieces
from tests.documents.files import huge_png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_photo_above_the_pixel_limit_is_explained_next_to_the_field(live_server, page, registration, tmp_path):
    photo = tmp_path / "carte-identite.png"
    photo.write_bytes(huge_png(12000, 12000))  # 440 KB, far under 10 MB: only its size in pixels is refused
    page.set_viewport_size(PHONE)
    open_my_pieces(live_server, page, registration)

    section = page.locator("#piece-identity")
    section.get_by_label("Ajouter un ou plusieurs fichiers").set_input_files(str(photo))
    section.get_by_role("button", name="Téléverser").click()

    message = section.get_by_role("status")
    expect(message).to_contain_text("« carte-identite.png » mesure 12000 × 12000 pixels (144,0 mégapixels)")
    expect(message).to_contain_text("réglez l'appareil photo du téléphone sur 12 mégapixels")
    expect(message).to_contain_text("scannez le document en PDF")
    expect(section).to_contain_text("Manquante")
    message.scroll_into_view_if_needed()
    page.screenshot(path="/tmp/h1-photo-too-large.png")
    assert not PieceFile.objects.exists()
