"""Reference data of the rectorate's notice: the 2024 session and the national BTS list.

Runs once; afterwards staff edit sessions and specialties in admin.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import migrations

from exams.migrations._bts_specialties import SPECIALTIES

PARIS = ZoneInfo("Europe/Paris")


def load(apps, schema_editor):
    ExamSession = apps.get_model("exams", "ExamSession")
    Specialty = apps.get_model("exams", "Specialty")
    SpecialtyOption = apps.get_model("exams", "SpecialtyOption")
    ExamSession.objects.get_or_create(
        year=2024,
        academy="Normandie",
        defaults={
            "name": "Session 2024",
            "registration_opens_at": datetime(2023, 10, 18, 12, 0, tzinfo=PARIS),
            "registration_closes_at": datetime(2023, 11, 15, 17, 0, tzinfo=PARIS),
        },
    )
    # The model this runs with may be a later one (tests load the reference data again with the
    # current models): a column the model no longer has (`requires_r408`, removed in 0011: the
    # matrix decides) is left out.
    columns = {field.name for field in Specialty._meta.get_fields()}
    for row in SPECIALTIES:
        defaults = {"name": row["name"], "requires_r408": row["requires_r408"],
                    "professional_dossier_in_portal": row["professional_dossier_in_portal"]}
        specialty, _ = Specialty.objects.get_or_create(
            code=row["code"], defaults={name: value for name, value in defaults.items() if name in columns})
        for code, name in row["options"]:
            SpecialtyOption.objects.get_or_create(specialty=specialty, code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("exams", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
