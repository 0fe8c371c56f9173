"""The requirement matrix against the notice's table, for every pathway and specialty."""

import pytest

from documents.requirements import required_pieces
from exams.models import Pathway, Registration, Specialty
from tests.factories import RequirementFactory

pytestmark = pytest.mark.django_db

R408 = {"Architectures en métal : conception et réalisation", "Bâtiment",
        "Enveloppe des bâtiments : conception et réalisation", "Management et économie de la construction",
        "Fluides-énergies-domotique", "Système constructif bois et habitat", "Travaux publics"}


def expected_by_the_notice(pathway, specialty, option_code):
    """The notice's table, written out independently of the seeded data."""
    family = Pathway(pathway).family
    pieces = {"confirmation", "identity"}
    if family == "apprentissage":
        pieces.add("apprenticeship-contract")
    if family == "continue":
        pieces.add("work-contract")
    if family == "experience":
        pieces.add("experience-proof")
    if specialty.name in R408:
        pieces.add("r408")
    if specialty.name == "Maintenance des systèmes":
        pieces |= {"electrical-risk", "first-aid"}
        if option_code == "B":
            pieces.add("refrigerants")
        if option_code in ("C", "D"):
            pieces.add("work-at-height")
    return pieces


def test_every_pathway_and_specialty_gets_exactly_the_pieces_of_the_notice():
    from documents.requirements import session_requirements
    from exams.models import ExamSession

    session = ExamSession.objects.get(year=2024)
    requirements = session_requirements(session)
    checked = 0
    for specialty in Specialty.objects.prefetch_related("options"):
        for option in list(specialty.options.all()) or [None]:
            for pathway in Pathway.values:
                registration = Registration(session=session, pathway=pathway, specialty=specialty, option=option)
                got = {piece.kind.code for piece in required_pieces(registration, requirements)}
                assert got == expected_by_the_notice(pathway, specialty, option.code if option else None), (pathway, specialty, option)
                checked += 1
    assert checked > 7 * 79


@pytest.mark.parametrize(("answer", "piece", "reason"), [
    ("engagement_etudiant", "engagement-form", "car vous avez choisi l'épreuve facultative « engagement étudiant »"),
    ("claims_dispenses", "dispense-proof", "car vous demandez des dispenses d'épreuves"),
    ("keeps_grade_benefits", "last-transcript", "conservez des bénéfices de notes"),
    ("renounces_benefits", "renounce-request", "car vous renoncez à des bénéfices de notes"),
    ("has_positioning_decision", "positioning-decision", "décision de positionnement"),
    ("has_internship_derogation", "internship-derogation", "dérogation à la durée des stages"),
])
def test_each_answer_adds_its_piece_with_its_reason(answer, piece, reason):
    from exams.models import ExamSession

    registration = Registration(session=ExamSession.objects.get(year=2024), pathway="scolaire",
                                specialty=Specialty.objects.get(code="BAT"))
    assert piece not in {p.kind.code for p in required_pieces(registration)}
    setattr(registration, answer, True)
    reasons = {p.kind.code: p.reason for p in required_pieces(registration)}
    assert reason in reasons[piece]


def test_the_reason_names_the_specialty_and_the_option():
    from exams.models import ExamSession

    ms = Specialty.objects.get(code="MS")
    registration = Registration(session=ExamSession.objects.get(year=2024), pathway="scolaire", specialty=ms,
                                option=ms.options.get(code="B"))
    reasons = {p.kind.code: p.reason for p in required_pieces(registration)}
    assert reasons["refrigerants"] == "car vous préparez le BTS Maintenance des systèmes, option B"
    assert reasons["first-aid"] == "car vous préparez le BTS Maintenance des systèmes"
    bat = Registration(session=registration.session, pathway="apprentissage", specialty=Specialty.objects.get(code="BAT"))
    assert {p.kind.code: p.reason for p in required_pieces(bat)}["r408"] == "car vous préparez le BTS Bâtiment"


def test_a_new_session_takes_the_matrix_of_the_previous_one():
    from documents.requirements import requirements_copy
    from exams.models import ExamSession
    from tests.factories import ExamSessionFactory

    old = ExamSession.objects.get(year=2024)
    new = ExamSessionFactory(year=2125)
    assert requirements_copy(from_session=old, to_session=new) == old.requirements.count()
    assert requirements_copy(from_session=old, to_session=new) == 0
    assert set(new.requirements.get(piece_kind__code="r408").specialties.values_list("code", flat=True)) == \
        {"AMCR", "BAT", "EBCR", "MEC", "FED", "SCBH", "TP"}


class TestTheCachedMatrix:
    """The matrix is cached per session; every change staff make in admin is seen at once."""

    @pytest.fixture
    def bat(self):
        from exams.models import ExamSession

        return Registration(session=ExamSession.objects.get(year=2024), pathway="apprentissage",
                            specialty=Specialty.objects.get(code="BAT"))

    def test_a_second_read_runs_no_query(self, bat, django_assert_num_queries):
        required_pieces(bat)
        with django_assert_num_queries(0):
            assert "r408" in {p.kind.code for p in required_pieces(bat)}

    def test_removing_a_specialty_from_a_requirement_is_seen_at_once(self, bat):
        assert "r408" in {p.kind.code for p in required_pieces(bat)}
        bat.session.requirements.get(piece_kind__code="r408").specialties.remove(bat.specialty)
        assert "r408" not in {p.kind.code for p in required_pieces(bat)}

    def test_a_new_or_deleted_requirement_is_seen_at_once(self, bat):
        required_pieces(bat)
        extra = RequirementFactory(session=bat.session, piece_kind__code="casier", piece_kind__name="Casier")
        assert "casier" in {p.kind.code for p in required_pieces(bat)}
        extra.delete()
        assert "casier" not in {p.kind.code for p in required_pieces(bat)}

    def test_renaming_a_piece_is_seen_at_once(self, bat):
        from documents.models import PieceKind

        required_pieces(bat)
        kind = PieceKind.objects.get(code="r408")
        kind.name = "Attestation R408 (échafaudages)"
        kind.save()
        assert "Attestation R408 (échafaudages)" in {p.kind.name for p in required_pieces(bat)}
