"""The staff dashboard (portal/dashboard.py): a session's registrations and the review of their pieces, in figures."""

import html

import pytest
from django.urls import reverse

from exams.models import RegistrationStatus
from tests.factories import PieceFactory, PieceFileFactory, RegistrationFactory, paris
from tests.text import french

pytestmark = pytest.mark.django_db


@pytest.fixture
def locked(candidate):
    """A locked registration whose two pieces wait for review, and a third one left with no file
    (its candidate removed it): nothing to review there."""
    registration = RegistrationFactory(candidate=candidate, status=RegistrationStatus.LOCKED, locked_at=paris(2023, 11, 1, 10))
    for code in ("identity", "confirmation"):
        PieceFileFactory(piece=PieceFactory(registration=registration, piece_kind__code=code))
    PieceFactory(registration=registration, piece_kind__code="r408")
    return registration


def dashboard(client, session):
    return client.get(reverse("admin-dashboard") + f"?session={session.pk}").content.decode()


def test_the_dashboard_shows_the_figures(dec_staff_client, locked):
    page = html.unescape(dashboard(dec_staff_client, locked.session))
    for text in ["Inscriptions par jour", "Par spécialité", "Comptabilité et gestion", "validées définitivement",
                 "Pièces en attente de contrôle : 2", "Délai de contrôle"]:
        assert french(text) in page, text


def test_dashboard_bars_are_css_widths_whatever_the_locale(dec_staff_client, locked):
    page = dashboard(dec_staff_client, locked.session)
    assert 'style="width: 100.0%"' in page and 'style="width: 0.0%"' in page
    assert "Inscriptions au BTS — administration du rectorat" in page
