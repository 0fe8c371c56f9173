"""Épreuves of three specialties of the notice, to start from; staff complete them in admin."""

from decimal import Decimal

from django.db import migrations

G, P = "general", "professional"
EPREUVES = {
    "CG": [
        ("E1", "Culture générale et expression", G, "4", "written", False),
        ("E2", "Langue vivante étrangère A : anglais", G, "3", "oral", True),
        ("E3", "Mathématiques appliquées", G, "3", "written", False),
        ("E4", "Culture économique, juridique et managériale", G, "6", "written", False),
        ("E5", "Contrôle et traitement comptable des opérations commerciales", P, "4", "oral", False),
        ("E6", "Situations de contrôle de gestion et d'analyse financière", P, "6", "written", False),
    ],
    "MS": [
        ("E1", "Culture générale et expression", G, "3", "written", False),
        ("E2", "Anglais", G, "2", "oral", True),
        ("E31", "Mathématiques", G, "2", "written", False),
        ("E32", "Physique-chimie", G, "2", "written", False),
        ("E4", "Analyse technique en vue de l'intégration d'un bien", P, "4", "written", False),
        ("E5", "Intervention sur un système", P, "5", "practical", False),
        ("E6", "Épreuve professionnelle de synthèse", P, "5", "oral", False),
    ],
    "BAT": [
        ("E1", "Culture générale et expression", G, "3", "written", False),
        ("E2", "Anglais", G, "2", "oral", True),
        ("E31", "Mathématiques", G, "2", "written", False),
        ("E32", "Physique-chimie", G, "1", "written", False),
        ("E4", "Étude technique", P, "5", "written", False),
        ("E5", "Organisation et pilotage de chantier", P, "5", "written", False),
        ("E6", "Épreuve professionnelle de synthèse", P, "4", "oral", False),
    ],
}


def load(apps, schema_editor):
    Specialty = apps.get_model("exams", "Specialty")
    Epreuve = apps.get_model("exams", "Epreuve")
    for specialty_code, rows in EPREUVES.items():
        specialty = Specialty.objects.filter(code=specialty_code).first()
        if specialty is None:
            continue
        for code, title, domain, coefficient, form, is_language in rows:
            Epreuve.objects.get_or_create(specialty=specialty, code=code, defaults={
                "title": title, "domain": domain, "coefficient": Decimal(coefficient), "form": form, "is_language": is_language})


class Migration(migrations.Migration):
    dependencies = [("exams", "0007_epreuves_convocations_marks")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
