"""The DSFR site configuration (title, footer texts…), edited in admin and shown on every page.

django-dsfr's context processor reads it from the database on each page; here it is kept in
Django's shared cache, and cleared there when it changes. The header's brand and the footer drawn
from it are kept in each process's cache under SITE_CONFIG_VERSION, a digest of every value of
the configuration: a change gives a new version, and every process draws them again.
"""

import hashlib

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import get_language
from dsfr.models import DsfrConfig

from common.caching import forget


def _key(language):
    return f"portal:site-config:v2:{language}"


def _read(language):
    config = DsfrConfig.objects.filter(language=language).first() or DsfrConfig.objects.first()
    values = [getattr(config, field.attname) for field in DsfrConfig._meta.concrete_fields] if config else []
    return config, hashlib.sha256(repr(values).encode()).hexdigest()[:16]


def site_config(request):
    """Context processor: SITE_CONFIG, as django-dsfr's own gives it, and its version."""
    language = get_language()
    config, version = cache.get_or_set(_key(language), lambda: _read(language), 10 * 60)
    return {"SITE_CONFIG": config, "SITE_CONFIG_VERSION": version}


@receiver([post_save, post_delete], sender=DsfrConfig)
def forget_site_config(sender, instance, **kwargs):
    from django.conf import settings

    forget(_key(language) for language, _name in settings.LANGUAGES)
