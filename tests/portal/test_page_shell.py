"""Every page's shell (head, skip links, header, menu, footer): the parts kept in the cache follow
the page and the visitor, and the parts that must differ on each response do."""

import html
import re

import pytest
from django.urls import reverse

from tests.factories import ConvocationFactory, UserFactory

pytestmark = pytest.mark.django_db


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response, html.unescape(response.content.decode())


def current_menu_items(text):
    menu = text.split('id="fr-navigation"')[1].split("</nav>")[0]
    return [re.sub(r"\s+", " ", label).strip()
            for label in re.findall(r'aria-current="page">([^<]+)', menu)]


def test_the_menu_marks_the_page_shown(client, candidate):
    ConvocationFactory(registration__candidate=candidate)
    client.force_login(candidate)
    assert current_menu_items(page(client, reverse("candidates:account"))[1]) == ["Mon compte"]
    assert current_menu_items(page(client, reverse("candidates:inbox"))[1]) == ["Mes messages"]
    assert current_menu_items(page(client, reverse("exams:convocations"))[1]) == ["Mes convocations"]
    assert current_menu_items(page(client, reverse("home"))[1]) == ["Accueil"]


def test_a_visitor_sees_no_candidate_menu_after_a_candidate_saw_it(client, candidate):
    client.force_login(candidate)
    page(client, reverse("home"))
    client.logout()
    _, text = page(client, reverse("home"))
    assert "Mon compte" not in text and "Se connecter" in text


def test_each_candidate_sees_their_own_address_in_the_header(client, candidate):
    other = UserFactory(email="alex.durand@exemple.fr")
    for user in (candidate, other):
        client.force_login(user)
        _, text = page(client, reverse("home"))
        header = text.split("</header>")[0]
        assert user.email in header
        assert (other if user == candidate else candidate).email not in header


def test_the_logout_form_carries_a_new_token_on_each_response(client, candidate):
    """The cached shell never freezes the CSRF token of the page that filled it."""
    client.force_login(candidate)
    tokens = set()
    for _ in range(2):
        _, text = page(client, reverse("home"))
        tokens.add(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text).group(1))
    assert len(tokens) == 2


def test_the_shell_keeps_its_head_skip_links_and_footer(client):
    _, text = page(client, reverse("home"))
    assert '<html lang="fr"' in text and 'name="viewport"' in text
    assert "dsfr/dist/dsfr.min.css" in text or "dsfr.min.css" in text
    assert 'class="fr-skiplinks"' in text and 'href="#content"' in text
    assert 'id="footer"' in text
