"""What exams does when something it depends on changes: the catalogue's caches, and a change of
situation after the lock (sent by candidates)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from candidates.signals import situation_changed
from common.caching import forget
from exams import catalogue
from exams.models import Specialty, SpecialtyOption
from exams.situation_changes import situation_changes_flag_after_lock


@receiver([post_save, post_delete], sender=SpecialtyOption)
def option_changed(sender, **kwargs):
    forget([Specialty.OPTIONS_CACHE_KEY])
    catalogue.changed()


@receiver([post_save, post_delete], sender=Specialty)
def specialty_changed(sender, **kwargs):
    catalogue.changed()


@receiver(situation_changed)
def situation_changed_after_lock(sender, user, changes, **kwargs):
    situation_changes_flag_after_lock(user=user, changes=changes)
