"""Any change to the requirement matrix clears the cached copy of the sessions it touches, and
starts a new generation of the catalogue (exams/catalogue.py)."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from documents.models import PieceKind, Requirement
from documents.requirements import forget_session_requirements
from exams import catalogue


@receiver([post_save, post_delete], sender=Requirement)
def requirement_changed(sender, instance, **kwargs):
    forget_session_requirements([instance.session_id])
    catalogue.changed()


@receiver(m2m_changed, sender=Requirement.specialties.through)
@receiver(m2m_changed, sender=Requirement.options.through)
def requirement_links_changed(sender, instance, **kwargs):
    if isinstance(instance, Requirement):
        forget_session_requirements([instance.session_id])
    else:  # a specialty or option seen from its side: every session may list it
        forget_every_session()
    catalogue.changed()


@receiver([post_save, post_delete], sender=PieceKind)
def piece_kind_changed(sender, **kwargs):
    forget_every_session()  # names and order of pieces are part of each cached matrix
    catalogue.changed()


def forget_every_session():
    from exams.models import ExamSession

    forget_session_requirements(ExamSession.objects.values_list("pk", flat=True))
