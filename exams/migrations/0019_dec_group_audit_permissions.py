"""« Gestionnaire DEC » reads the history of marks, slots and convocations, and the record of
marks imports (who imported which file, when): what it enters, it can account for."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = ["view_historicalmark", "view_historicalexamslot", "view_historicalconvocation", "view_marksimport"]


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
    dependencies = [("exams", "0018_audit_history")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
