"""The confirmation PDF against WeasyPrint rendering a one-line page (its floor)."""

from bench.common import COMPLETE_ANSWERS, Row, median_ms, time_calls

REPEAT = 20
TARGET_MS = 400


def run():
    from candidates.models import User
    from common import pdf as common_pdf
    from documents import pdf
    from documents.requirements import required_pieces
    from exams.models import ExamSession, Registration, Specialty

    user = User.objects.create_user("bench-pdf@exemple.fr", "x" * 16, is_active=True, last_name="Lefèvre",
                                    first_name="Éloïse", address_line="12 rue de la Paix", postal_code="14000", city="Caen")
    ms = Specialty.objects.get(code="MS")
    registration = Registration.objects.create(
        candidate=user, session=ExamSession.objects.get(year=2024), number="2024-999999", version=7,
        **{**COMPLETE_ANSWERS, "pathway": "apprentissage", "apprenticeship_contract_years": 2, "training_hours": 1400,
           "claims_dispenses": True}, specialty=ms, option=ms.options.get(code="B"), engagement_etudiant=True,
    )
    pieces = required_pieces(registration)
    confirmation = time_calls(lambda: pdf.confirmation_pdf(registration, pieces), REPEAT, warmup=3)
    floor = time_calls(common_pdf.one_line_pdf, REPEAT, warmup=3)
    ratio = median_ms(confirmation) / median_ms(floor)
    return [
        Row("PDF de confirmation (2 pages A4, QR code), médiane", f"{median_ms(confirmation):.0f} ms",
            f"< {TARGET_MS} ms", f"{ratio:.1f} × la page d'une ligne", median_ms(confirmation) < TARGET_MS),
        Row("WeasyPrint, page d'une ligne (plancher), médiane", f"{median_ms(floor):.0f} ms"),
    ]
