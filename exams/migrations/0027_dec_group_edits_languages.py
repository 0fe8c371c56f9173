"""« Gestionnaire DEC » keeps the specialties' data up to date: the languages each allows (the
table of issue 16), the pilot académie's instructions for the professional dossier. It deletes
nothing, a language included: one withdrawn while candidates have chosen it leaves their
registrations incomplete, which is a superuser's decision."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = ["change_specialty", "view_specialtylanguage", "add_specialtylanguage", "change_specialtylanguage"]


def load(apps, schema_editor):
    app_config = apps.get_app_config("exams")
    original = getattr(app_config, "models_module", None)
    app_config.models_module = original or True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = original
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Gestionnaire DEC")
    for codename in PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label="exams", codename=codename))


class Migration(migrations.Migration):
    dependencies = [("exams", "0026_residence_attested_and_jury_marks")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
