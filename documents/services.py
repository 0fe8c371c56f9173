from django.db import transaction

from documents.models import Requirement


@transaction.atomic
def requirements_copy(*, from_session, to_session):
    """Give a new session the matrix of an earlier one; rows it already has are kept."""
    copied = 0
    for requirement in Requirement.objects.filter(session=from_session).prefetch_related("specialties", "options"):
        new, created = Requirement.objects.get_or_create(
            session=to_session, piece_kind=requirement.piece_kind, condition=requirement.condition,
            defaults={f"for_{f}": getattr(requirement, f"for_{f}") for f in ("scolaire", "apprentissage", "continue", "experience")},
        )
        if created:
            new.specialties.set(requirement.specialties.all())
            new.options.set(requirement.options.all())
            copied += 1
    return copied
