"""The DSFR site configuration (title, footer texts…), edited in admin and shown on every page.

django-dsfr's context processor reads it from the database on each page; here it is kept in
Django's cache, and the cached copy and the footer drawn from it are cleared when it changes.
"""

from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import get_language
from dsfr.models import DsfrConfig

FOOTER_FRAGMENT = "portal-footer"


def _key(language):
    return f"portal:site-config:{language}"


def site_config(request):
    """Context processor: SITE_CONFIG, as django-dsfr's own gives it."""
    language = get_language()
    config = cache.get_or_set(
        _key(language), lambda: DsfrConfig.objects.filter(language=language).first() or DsfrConfig.objects.first(), 10 * 60)
    return {"SITE_CONFIG": config}


@receiver([post_save, post_delete], sender=DsfrConfig)
def forget_site_config(sender, instance, **kwargs):
    from django.conf import settings

    for language, _name in settings.LANGUAGES:
        cache.delete_many([_key(language), make_template_fragment_key(FOOTER_FRAGMENT, [language])])
