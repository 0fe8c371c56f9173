"""A registration's admin page with a dozen pieces (six PDFs, twelve images): the page alone, and
the page with every preview it used to embed (an <iframe> per PDF, an <img> per image, all
fetched by the browser as the page opened; the browser's PDF viewer for six frames came on top).

Target: under 1.5 s; previews now load when asked (« Aperçu »), so the page's own time is what counts.
"""

import re

from bench.common import Row, median_ms, pdf_of_size, staff_client, time_calls

TARGET_MS = 1500
REPEAT = 10


def run():
    from django.core.files.base import ContentFile

    from candidates.models import User
    from documents.models import Piece, PieceFile, PieceKind, ScanStatus
    from exams.models import ExamSession, Registration, Specialty

    session = ExamSession.objects.get(year=2024)
    candidate = User.objects.create_user("bench-dossier@exemple.fr", "x" * 16, last_name="Martin", first_name="Camille")
    registration = Registration.objects.create(candidate=candidate, session=session, number="2024-B00001", status="locked",
                                               pathway="scolaire", specialty=Specialty.objects.order_by("pk").first())
    kinds = list(PieceKind.objects.order_by("pk")[:12])
    for index, kind in enumerate(kinds):
        piece = Piece.objects.create(registration=registration, piece_kind=kind)
        is_pdf = index < 6
        for side in ("recto", "verso") if not is_pdf else ("scan",):
            content = pdf_of_size(300_000) if is_pdf else _photo()
            name = f"{kind.code}-{side}.{'pdf' if is_pdf else 'jpg'}"
            piece_file = PieceFile(piece=piece, original_name=name, content_type="application/pdf" if is_pdf else "image/jpeg",
                                   size=len(content), sha256="0" * 64, sent_sha256="0" * 64, scan_status=ScanStatus.CLEAN)
            piece_file.file.save(name, ContentFile(content), save=True)

    client = staff_client("bench-dossier-admin@ac-normandie.fr")

    url = f"/admin/exams/registration/{registration.pk}/change/"
    page = client.get(url).content.decode()
    previews = sorted(set(re.findall(r'href="(/admin/documents/piece/fichier/\d+/apercu/)"', page)))
    embedded = len(re.findall(r"<(?:iframe|img)[^>]+/apercu/", page))

    def page_only():
        assert client.get(url).status_code == 200

    def page_and_previews():
        page_only()
        for preview in previews:
            b"".join(client.get(preview).streaming_content)

    alone = median_ms(time_calls(page_only, REPEAT, warmup=2))
    with_previews = median_ms(time_calls(page_and_previews, REPEAT, warmup=1))
    return [
        Row("admin, inscription à 12 pièces (18 fichiers), page seule, médiane", f"{alone:.0f} ms", f"< {TARGET_MS} ms",
            f"{embedded} aperçu(s) chargé(s) avec la page", alone < TARGET_MS and embedded == 0),
        Row("admin, même page + ses 18 aperçus (ce qu'elle chargeait avant), médiane", f"{with_previews:.0f} ms", "",
            f"{with_previews / alone:.1f} × la page seule"),
    ]


def _photo():
    """A phone photo of a document, 2000 × 1500, as a JPEG."""
    import io

    from PIL import Image

    output = io.BytesIO()
    Image.linear_gradient("L").resize((2000, 1500)).convert("RGB").save(output, "JPEG", quality=85)
    return output.getvalue()
