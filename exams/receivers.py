"""What exams does when something it depends on changes: the catalogue's caches, and a change of
situation (sent by candidates): before the lock a new version of the registration, after it a
flag for the DEC."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from candidates.signals import situation_changed
from common.caching import forget
from exams import catalogue
from exams.models import Specialty, SpecialtyLanguage, SpecialtyOption
from exams.services import registration_candidate_changed
from exams.situation_changes import situation_changes_flag_after_lock


@receiver([post_save, post_delete], sender=SpecialtyOption)
def option_changed(sender, **kwargs):
    forget([Specialty.OPTIONS_CACHE_KEY])
    catalogue.changed()


@receiver([post_save, post_delete], sender=SpecialtyLanguage)
def specialty_language_changed(sender, **kwargs):
    forget([Specialty.LANGUAGES_CACHE_KEY])
    catalogue.changed()


@receiver([post_save, post_delete], sender=Specialty)
def specialty_changed(sender, **kwargs):
    catalogue.changed()


@receiver(situation_changed)
def situation_changed_after_lock(sender, user, changes, **kwargs):
    situation_changes_flag_after_lock(user=user, changes=changes)


@receiver(situation_changed)
def situation_changed_before_lock(sender, user, changes, **kwargs):
    """The confirmation shows the identity and the postal address (not the phone)."""
    if any(change.field != "phone" for change in changes):
        for registration in user.registrations.drafts():
            registration_candidate_changed(registration=registration)
