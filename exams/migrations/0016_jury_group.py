"""The « Jury » group: its members confirm (or change) the jury's decisions, and see what they
need for it. « Gestionnaire DEC » enters marks but decides nothing."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Jury"
PERMISSIONS = {"jurydecision": ["view", "add", "change"], "historicaljurydecision": ["view"], "registration": ["view"],
               "mark": ["view"], "epreuve": ["view"], "examsession": ["view"], "rattrapagechoice": ["view"]}


def load(apps, schema_editor):
    app_config = apps.get_app_config("exams")
    original = getattr(app_config, "models_module", None)
    app_config.models_module = original or True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = original
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for model, actions in PERMISSIONS.items():
        for action in actions:
            group.permissions.add(Permission.objects.get(content_type__app_label="exams", codename=f"{action}_{model}"))


class Migration(migrations.Migration):
    dependencies = [("exams", "0015_jury_decision")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
