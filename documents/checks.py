from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def antivirus_is_configured(app_configs, **kwargs):
    """In production every upload must be scanned: `check --deploy` warns while CLAMD_URL is empty."""
    if settings.CLAMD_URL:
        return []
    return [Warning("CLAMD_URL n'est pas défini : les fichiers déposés ne seront pas analysés par l'antivirus.",
                    hint="CLAMD_URL=tcp://clamav:3310 (ou unix:///run/clamav/clamd.ctl).", id="documents.W001")]
