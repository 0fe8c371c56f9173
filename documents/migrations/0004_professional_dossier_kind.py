"""The professional dossier, uploaded apart from the registration (SAM, Banque, Maintenance des systèmes)."""

from django.db import migrations


def load(apps, schema_editor):
    PieceKind = apps.get_model("documents", "PieceKind")
    PieceKind.objects.get_or_create(code="professional-dossier", defaults={
        "name": "Dossier professionnel", "position": 900,
        "help_text": "Le dossier support des épreuves orales professionnelles, à déposer aux dates fixées par le "
                     "rectorat, après la validation de l'inscription."})


class Migration(migrations.Migration):
    dependencies = [("documents", "0003_pieces")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
