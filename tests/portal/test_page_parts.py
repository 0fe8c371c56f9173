"""The parts candidate pages share: one status badge template, whose tone each kind of status
decides in one place, and one form-page skeleton that every candidate form page extends."""

import html
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from documents.completeness import STATE_BADGES
from documents.models import PieceStatus
from exams.models import Registration, RegistrationStatus
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
BADGE = "portal/_status_badge.html"
SKELETON = "portal/form_page.html"
DSFR_TONES = {"success", "error", "warning", "info", "new"}


def test_no_template_writes_a_badge_but_the_badge_template():
    writers = sorted(str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html") if "fr-badge" in path.read_text())
    assert writers == [BADGE]


def test_a_badge_shows_its_word_with_its_tone_or_grey_without_one():
    assert render_to_string(BADGE, {"label": "Reçue", "tone": "info"}) == '<span class="fr-badge fr-badge--sm fr-badge--info">Reçue</span>'
    assert render_to_string(BADGE, {"label": "lu"}) == '<span class="fr-badge fr-badge--sm">lu</span>'


@pytest.mark.parametrize("status", RegistrationStatus.values)
def test_each_registration_status_has_a_dsfr_tone(status):
    assert Registration(status=status).status_tone in DSFR_TONES


def test_each_state_of_a_piece_has_its_word_and_a_dsfr_tone():
    assert set(STATE_BADGES) == {"missing", *PieceStatus.values}
    for label, tone in STATE_BADGES.values():
        assert str(label) and tone in DSFR_TONES


def test_mon_inscription_shows_the_status_in_words_and_in_its_tone(client, candidate):
    registration = RegistrationFactory(candidate=candidate, status=RegistrationStatus.LOCKED)
    client.force_login(candidate)
    page = html.unescape(client.get(reverse("documents:overview", args=[registration.pk])).content.decode())
    assert '<span class="fr-badge fr-badge--sm fr-badge--success">Validée définitivement</span>' in page


def test_no_candidate_template_draws_a_form_outside_the_skeleton():
    drawers = [path.name for path in (TEMPLATES / "candidates").glob("*.html") if "{% crispy" in path.read_text()]
    assert drawers == []


FORM_PAGES = [
    ("candidates:signup", [], False, "Créer mon compte"),
    ("candidates:login", [], False, "Se connecter"),
    ("candidates:resend_activation", [], False, "Recevoir à nouveau le lien d'activation"),
    ("candidates:password_reset", [], False, "Mot de passe oublié"),
    ("candidates:password_reset_confirm", ["MQ", "lien-perime"], False, "Nouveau mot de passe"),
    ("candidates:account", [], True, "Mon compte"),
    ("candidates:email_change", [], True, "Changer d'adresse électronique"),
    ("candidates:password_change", [], True, "Changer mon mot de passe"),
]


@pytest.mark.parametrize("name, args, logged, heading", FORM_PAGES, ids=[page[0] for page in FORM_PAGES])
def test_each_candidate_form_page_extends_the_skeleton_under_its_heading(client, candidate, name, args, logged, heading):
    if logged:
        client.force_login(candidate)
    response = client.get(reverse(name, args=args), follow=True)
    assert response.status_code == 200
    assert SKELETON in [template.name for template in response.templates]
    page = html.unescape(response.content.decode())
    assert f"<h1>{heading}</h1>" in page
    assert page.count("<h1") == 1


def test_a_group_of_buttons_with_icons_says_so_or_the_phone_shows_only_the_icons():
    """DSFR draws an icon button inside `fr-btns-group` as a bare icon unless the group carries
    `fr-btns-group--icon-left` (or `--icon-right`): « Mes convocations » showed two blank squares."""
    import re

    faults = []
    for template in TEMPLATES.rglob("*.html"):
        for classes, body in re.findall(r'<ul class="(fr-btns-group[^"]*)"[^>]*>(.*?)</ul>', template.read_text(), re.DOTALL):
            for side in ("left", "right"):
                if f"fr-btn--icon-{side}" in body and f"fr-btns-group--icon-{side}" not in classes:
                    faults.append(f"{template.relative_to(TEMPLATES)}: {classes}")
    assert faults == []
