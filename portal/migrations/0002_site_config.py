"""The DSFR header and footer texts (django-dsfr's DsfrConfig), editable afterwards in admin."""

from django.db import migrations


def load(apps, schema_editor):
    DsfrConfig = apps.get_model("dsfr", "DsfrConfig")
    DsfrConfig.objects.update_or_create(
        language="fr",
        defaults={
            "site_title": "Inscriptions au BTS",
            "site_tagline": "Candidats individuels — Académie de Normandie",
            "header_brand": "République française",
            "header_brand_html": "République<br>française",
            "footer_brand": "République française",
            "footer_brand_html": "République<br>française",
            "footer_description": (
                "Portail d'inscription des candidats individuels au brevet de technicien "
                "supérieur, géré par la division des examens et concours du rectorat."
            ),
            "accessibility_status": "NOT",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial"), ("dsfr", "0012_dsfrconfig_notice_description_and_more")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
