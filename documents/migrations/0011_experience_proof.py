"""The proof of one year of professional activity (certificats de travail or the work contract), a
piece of its own for that pathway instead of the « formation continue » contract. A piece a
candidate of that pathway already gave as a work contract becomes that proof: nothing is lost."""

from django.db import migrations
from django.db.models import Exists, OuterRef

from documents.reference import PIECE_KINDS


def load(apps, schema_editor):
    PieceKind = apps.get_model("documents", "PieceKind")
    Requirement = apps.get_model("documents", "Requirement")
    Piece = apps.get_model("documents", "Piece")
    work_contract = PieceKind.objects.filter(code="work-contract").first()
    name, help_text = next((name, help_text) for code, name, help_text in PIECE_KINDS if code == "experience-proof")
    proof, _ = PieceKind.objects.get_or_create(code="experience-proof", defaults={
        "name": name, "help_text": help_text, "position": (work_contract.position + 5) if work_contract else 100})
    if work_contract is None:
        return
    for requirement in Requirement.objects.filter(piece_kind=work_contract, for_experience=True):
        Requirement.objects.get_or_create(session=requirement.session, piece_kind=proof, condition=requirement.condition, defaults={
            "for_scolaire": False, "for_apprentissage": False, "for_continue": False, "for_experience": True})
        Requirement.objects.filter(pk=requirement.pk).update(for_experience=False)
    has_proof = Piece.objects.filter(registration=OuterRef("registration"), piece_kind=proof)
    Piece.objects.filter(piece_kind=work_contract, registration__pathway="experience").exclude(Exists(has_proof)).update(
        piece_kind=proof)


class Migration(migrations.Migration):
    dependencies = [("documents", "0010_audit_history"), ("exams", "0025_specialty_languages_seed")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
