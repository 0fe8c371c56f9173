"""The « Gestionnaire DEC » group also schedules épreuves, publishes convocations and enters marks."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = {"epreuve": ["view"], "examslot": ["view", "add", "change"], "convocation": ["view"],
               "mark": ["view", "add", "change"], "rattrapagechoice": ["view"]}


def load(apps, schema_editor):
    app_config = apps.get_app_config("exams")
    original = getattr(app_config, "models_module", None)
    app_config.models_module = original or True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = original
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Gestionnaire DEC")
    for model, actions in PERMISSIONS.items():
        for action in actions:
            group.permissions.add(Permission.objects.get(content_type__app_label="exams", codename=f"{action}_{model}"))


class Migration(migrations.Migration):
    dependencies = [("exams", "0008_epreuves_seed"), ("documents", "0006_reasons_and_staff_group")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
