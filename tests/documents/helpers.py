from pathlib import Path

from documents.pieces import piece_upload
from documents.requirements import required_pieces
from tests.documents.files import pdf_bytes, upload
from tests.factories import paris

OPEN = paris(2023, 11, 1, 10)  # the 2024 session takes registrations: a day of the window


def stored_files(media):
    """Every file under the test's media folder (`private_media`): what an upload left behind."""
    return [p for p in Path(media).rglob("*") if p.is_file()] if Path(media).exists() else []


def give_every_piece(registration, at):
    """Upload a one-page PDF for each piece the registration requires, as the candidate would."""
    for required in required_pieces(registration):
        piece_upload(registration=registration, piece_kind=required.kind, uploads=[upload("piece.pdf", pdf_bytes())], at=at)
