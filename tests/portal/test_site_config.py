"""The DSFR site configuration is cached, and every page shows a change made in admin at once."""

import html

import pytest
from dsfr.models import DsfrConfig

pytestmark = pytest.mark.django_db


def page(client, url="/mentions-legales/"):
    return html.unescape(client.get(url).content.decode())


def test_the_configuration_is_read_once_then_from_the_cache(client, django_assert_max_num_queries):
    page(client)
    with django_assert_max_num_queries(0):
        page(client)


def test_a_new_site_title_and_footer_text_show_at_once(client):
    before = page(client)
    config = DsfrConfig.objects.get(language="fr")
    assert config.site_title in before
    config.site_title = "Inscriptions BTS — Normandie"
    config.footer_description = "Rectorat de la région académique Normandie, division des examens."
    config.save()
    after = page(client)
    assert "Inscriptions BTS — Normandie" in after
    assert "division des examens" in after
