"""SQL queries per page of the registration form: the same for a simple and a full registration."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.common import COMPLETE_ANSWERS, Row

STEPS = ["situation", "preparation", "specialite", "dispenses", "amenagement"]


def run():
    from candidates.models import User
    from exams.models import ExamSession, Registration, Specialty

    session = ExamSession.objects.get(year=2024)
    ms = Specialty.objects.get(code="MS")
    simple = _registration(User, Registration, session, "simple", specialty=Specialty.objects.get(code="BAT"))
    full = _registration(User, Registration, session, "full", specialty=ms, option=ms.options.get(code="B"),
                         pathway="apprentissage", apprenticeship_contract_years=2, training_hours=1400,
                         engagement_etudiant=True, claims_dispenses=True, keeps_grade_benefits=True,
                         renounces_benefits=True, has_positioning_decision=True, has_internship_derogation=True)
    rows = []
    for step in [*STEPS, None]:
        counts = [_queries(registration, step) for registration in (simple, full)]
        page = f"étape « {step} »" if step else "récapitulatif"
        rows.append(Row(f"requêtes SQL, {page}", f"{counts[0]} / {counts[1]}", "identiques", "", counts[0] == counts[1]))
    rows.append(_pieces_page_row(full))
    return rows


def _pieces_page_row(registration):
    """« Mes justificatifs » with 12 required pieces: 1 given, then all 12 given."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from pypdf import PdfWriter

    from documents.pieces import piece_upload
    from documents.requirements import required_pieces

    writer, output = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(output)
    pieces = required_pieces(registration)
    at = registration.session.registration_opens_at
    counts = []
    for given, already in ((1, 0), (len(pieces), 1)):
        for required in pieces[already:given]:
            piece_upload(registration=registration, piece_kind=required.kind,
                         uploads=[SimpleUploadedFile("p.pdf", output.getvalue())], at=at)
        counts.append(_queries(registration, None, url=f"/inscription/{registration.pk}/justificatifs/"))
    return Row(f"requêtes SQL, « Mes justificatifs » ({len(pieces)} pièces) : 1 / toutes déposées",
               f"{counts[0]} / {counts[1]}", "identiques", "", counts[0] == counts[1])


def _registration(User, Registration, session, name, **answers):
    user = User.objects.create_user(f"bench-form-{name}@exemple.fr", "x" * 16, is_active=True)
    return Registration.objects.create(candidate=user, session=session, number=f"2024-form-{name}",
                                       **{**COMPLETE_ANSWERS, **answers})


def _queries(registration, step, url=None):
    client = Client()
    client.force_login(registration.candidate)
    url = url or f"/inscription/{registration.pk}/" + (f"etape/{step}/" if step else "")
    client.get(url)  # fills the caches (site configuration, requirement matrix): the steady state is counted
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)
