from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def antivirus_is_configured(app_configs, **kwargs):
    """In production every upload must be scanned: `check --deploy` warns while CLAMD_URL is empty."""
    if settings.CLAMD_URL:
        return []
    return [Warning("CLAMD_URL n'est pas défini : les fichiers déposés ne seront pas analysés par l'antivirus.",
                    hint="CLAMD_URL=tcp://clamav:3310 (ou unix:///run/clamav/clamd.ctl).", id="documents.W001")]


@register(deploy=True)
def pdf_fonts_are_subset_by_harfbuzz(app_configs, **kwargs):
    """Without HarfBuzz's subsetter WeasyPrint falls back on fontTools: each PDF takes about four
    times longer (the confirmation: ~1 s instead of ~0.3 s on a slow core)."""
    from weasyprint.text.ffi import harfbuzz_subset

    if harfbuzz_subset is not None:
        return []
    return [Warning("libharfbuzz-subset0 est absente : WeasyPrint sous-ensemble les polices avec fontTools, "
                    "chaque PDF est environ quatre fois plus lent.",
                    hint="apt-get install libharfbuzz-subset0 (paquet Debian ; déjà dans le Dockerfile).",
                    id="documents.W002")]
