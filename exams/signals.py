from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from exams import catalogue
from exams.models import Specialty, SpecialtyOption
from portal.caching import forget


@receiver([post_save, post_delete], sender=SpecialtyOption)
def option_changed(sender, **kwargs):
    forget([Specialty.OPTIONS_CACHE_KEY])
    catalogue.changed()


@receiver([post_save, post_delete], sender=Specialty)
def specialty_changed(sender, **kwargs):
    catalogue.changed()
