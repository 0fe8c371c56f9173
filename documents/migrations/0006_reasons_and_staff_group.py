"""Reasons staff pick to ask for a replacement, and the "Gestionnaire DEC" group with only what it needs."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GENERAL = ["Document illisible", "Document incomplet (recto ou verso manquant)", "Ce n'est pas le document demandé"]
BY_KIND = {
    "confirmation": ["Confirmation non signée", "Confirmation non datée", "Confirmation d'une version dépassée"],
    "identity": ["Pièce d'identité expirée"],
    "apprenticeship-contract": ["Contrat incomplet", "Heures de formation inférieures au minimum (1350 h ou 675 h)"],
    "work-contract": ["Contrat incomplet", "Durée d'activité inférieure à un an"],
    "engagement-form": ["Formulaire non complété", "Attestation de la structure d'accueil manquante"],
    "renounce-request": ["Demande non manuscrite ou non signée"],
}

GROUP = "Gestionnaire DEC"
PERMISSIONS = {
    # app: {model: actions}
    "exams": {"registration": ["view", "change"], "historicalregistration": ["view"], "examsession": ["view"],
              "specialty": ["view"], "specialtyoption": ["view"]},
    "documents": {"piece": ["view", "change"], "historicalpiece": ["view"], "piecefile": ["view"], "piecekind": ["view"],
                  "requirement": ["view"], "rejectionreason": ["view"], "generateddocument": ["view"]},
    "candidates": {"user": ["view"], "message": ["view"], "profilechange": ["view"]},
}


def load(apps, schema_editor):
    PieceKind = apps.get_model("documents", "PieceKind")
    RejectionReason = apps.get_model("documents", "RejectionReason")
    position = 10
    for label in GENERAL:
        RejectionReason.objects.get_or_create(label=label, defaults={"position": position})
        position += 10
    for code, labels in BY_KIND.items():
        kind = PieceKind.objects.filter(code=code).first()
        for label in labels:
            reason, _ = RejectionReason.objects.get_or_create(label=label, defaults={"position": position})
            position += 10
            if kind:
                reason.piece_kinds.add(kind)

    for app_config in apps.get_app_configs():  # permissions exist only after post_migrate otherwise
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = original
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for app_label, models in PERMISSIONS.items():
        for model, actions in models.items():
            for action in actions:
                group.permissions.add(Permission.objects.get(content_type__app_label=app_label,
                                                             codename=f"{action}_{model}"))


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0005_review"), ("exams", "0006_review"), ("candidates", "0003_profile_change_after_lock"),
        ("auth", "0012_alter_user_first_name_max_length"), ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
