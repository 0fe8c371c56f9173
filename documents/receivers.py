"""What documents does when something it depends on changes.

- Any change to the requirement matrix clears the cached copy of the sessions it touches, and
  starts a new generation of the catalogue (exams/catalogue.py).
- A registration's answers changed (`exams.signals.registration_changed`): its missing pieces
  are counted again and, once it is complete, the confirmation PDF of the new version is made.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from candidates.signals import identity_certified
from documents.completeness import registration_refresh_missing
from documents.models import PieceKind, Requirement
from documents.requirements import forget_session_requirements
from documents.tasks import render_registration_documents as render_registration_documents_task
from exams import catalogue
from exams.models import ExamSession, Registration
from exams.signals import registration_changed


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
    forget_session_requirements(ExamSession.objects.values_list("pk", flat=True))


@receiver(registration_changed)
def registration_answers_changed(sender, registration, complete, **kwargs):
    registration_refresh_missing(registration)
    if complete:
        pk, version = registration.pk, registration.version
        transaction.on_commit(lambda: render_registration_documents_task.delay(pk, version))


@receiver(identity_certified)
def identity_certified_spares_a_piece(sender, user, **kwargs):
    """The identity piece may no longer be asked: what each draft misses is counted again."""
    for registration in Registration.objects.drafts().filter(candidate=user).select_related("session", "candidate"):
        registration_refresh_missing(registration)
