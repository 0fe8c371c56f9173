"""The languages each specialty allows (exams/reference/languages.py), and Comptabilité et gestion's
language épreuve named for every language it offers."""

from django.db import migrations

from exams.reference.languages import languages_of


def load(apps, schema_editor):
    Specialty = apps.get_model("exams", "Specialty")
    SpecialtyLanguage = apps.get_model("exams", "SpecialtyLanguage")
    for specialty in Specialty.objects.all():
        if SpecialtyLanguage.objects.filter(specialty=specialty).exists():
            continue  # staff's table is kept as they left it
        SpecialtyLanguage.objects.bulk_create(
            [SpecialtyLanguage(specialty=specialty, language=language) for language in languages_of(specialty.code)])
    apps.get_model("exams", "Epreuve").objects.filter(
        specialty__code="CG", code="E2", title="Langue vivante étrangère A : anglais").update(title="Langue vivante étrangère A")


class Migration(migrations.Migration):
    dependencies = [("exams", "0024_languages_and_pathways")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
