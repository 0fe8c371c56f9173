"""The notice's table of pieces, loaded for the 2024 session; staff edit it in admin."""

from django.db import migrations

from documents.reference import PIECE_KINDS, REQUIREMENTS_2024


def load(apps, schema_editor):
    PieceKind = apps.get_model("documents", "PieceKind")
    Requirement = apps.get_model("documents", "Requirement")
    ExamSession = apps.get_model("exams", "ExamSession")
    Specialty = apps.get_model("exams", "Specialty")
    SpecialtyOption = apps.get_model("exams", "SpecialtyOption")
    kinds = {}
    for position, (code, name, help_text) in enumerate(PIECE_KINDS, start=1):
        kinds[code], _ = PieceKind.objects.get_or_create(
            code=code, defaults={"name": name, "help_text": help_text, "position": position * 10})
    session = ExamSession.objects.filter(year=2024, academy="Normandie").first()
    if session is None:
        return
    for code, families, condition, specialty_codes, option_codes in REQUIREMENTS_2024:
        requirement, created = Requirement.objects.get_or_create(
            session=session, piece_kind=kinds[code], condition=condition,
            defaults={f"for_{family}": family in families for family in ("scolaire", "apprentissage", "continue", "experience")},
        )
        if not created:
            continue
        requirement.specialties.set(Specialty.objects.filter(code__in=specialty_codes))
        for specialty_code, codes in option_codes.items():
            requirement.options.add(*SpecialtyOption.objects.filter(specialty__code=specialty_code, code__in=codes))


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial"), ("exams", "0002_session_2024_and_specialties"), ("exams", "0003_registration")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
