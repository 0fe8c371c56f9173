from django.db import migrations, models
from django.db.models import F


def sent_is_stored(apps, schema_editor):
    """Files stored before this change were stored as sent: their sent hash is the stored one."""
    apps.get_model("documents", "PieceFile").objects.update(sent_sha256=F("sha256"))


class Migration(migrations.Migration):

    dependencies = [
        ("documents", "0007_antivirus_scan"),
    ]

    operations = [
        migrations.AddField(
            model_name="piecefile",
            name="sent_sha256",
            field=models.CharField(
                default="", max_length=64, verbose_name="empreinte SHA-256 du fichier envoyé",
                help_text="Celle du fichier tel que le candidat l'a envoyé. Elle diffère de celle du fichier conservé quand le "
                          "portail en a retiré des éléments actifs (scripts, fichiers joints), ou quand des photos ont été "
                          "assemblées : c'est alors l'empreinte de la suite de leurs empreintes, dans l'ordre d'envoi."),
            preserve_default=False,
        ),
        migrations.RunPython(sent_is_stored, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="piecefile",
            name="sha256",
            field=models.CharField(max_length=64, verbose_name="empreinte SHA-256 du fichier conservé"),
        ),
    ]
