import html as html_module

import pytest
import time_machine
from django.urls import reverse

from exams.models import ExamSession
from tests.factories import ExamSessionFactory, paris
from tests.text import french

pytestmark = pytest.mark.django_db


@pytest.fixture
def session_2124():
    ExamSession.objects.all().delete()
    return ExamSessionFactory(
        name="Session 2124",
        year=2124,
        registration_opens_at=paris(2123, 10, 18, 12),
        registration_closes_at=paris(2123, 11, 15, 17),
    )


def home(client):
    """The page's HTML with entities decoded, so assertions read like the French text."""
    return html_module.unescape(client.get(reverse("home")).content.decode())


def test_the_home_page_shows_the_window_in_french_paris_time(client, session_2124):
    html = home(client)
    assert "18 octobre 2123 à 12h00" in html
    assert "15 novembre 2123 à 17h00" in html
    assert "heure de Paris" in html


def test_the_home_page_has_the_dsfr_shell(client, session_2124):
    html = home(client)
    assert 'class="fr-header"' in html
    assert "République<br>française" in html
    assert "Académie de Normandie" in html
    assert 'class="fr-skiplinks"' in html
    assert 'class="fr-footer"' in html


def test_while_open_it_counts_down_to_the_deadline(client, session_2124):
    with time_machine.travel(paris(2123, 11, 14, 13), tick=False):
        html = home(client)
    assert "Inscriptions ouvertes" in html
    assert "1 jour et 4 heures" in html
    assert 'data-deadline="2123-11-15T17:00:00+01:00"' in html


def test_before_the_opening_it_says_when_registrations_open(client, session_2124):
    with time_machine.travel(paris(2123, 10, 18, 11, 59), tick=False):
        html = home(client)
    assert "Inscriptions à venir" in html
    assert "Les inscriptions ouvriront le 18 octobre 2123 à 12h00." in html


def test_at_17_01_on_the_deadline_it_says_registrations_are_closed(client, session_2124):
    with time_machine.travel(paris(2123, 11, 15, 17, 1), tick=False):
        html = home(client)
    assert "Inscriptions closes" in html
    assert "Les inscriptions sont closes depuis le 15 novembre 2123 à 17h00." in html
    assert 'id="countdown"' not in html


def test_it_explains_the_five_steps_of_the_notice(client, session_2124):
    html = home(client)
    for step in ["Créer votre compte", "M'inscrire", "Mes documents", "Mes justificatifs", "J'ai fourni toutes mes pièces"]:
        assert step in html


def test_it_links_to_sign_up_and_log_in(client, session_2124):
    html = home(client)
    assert reverse("candidates:signup") in html
    assert reverse("candidates:login") in html


def test_without_any_session_it_says_none_is_scheduled(client):
    ExamSession.objects.all().delete()
    assert "Aucune session d'examen n'est encore programmée." in home(client)


@pytest.mark.parametrize("name", ["accessibility", "legal-notice", "personal-data"])
def test_the_footer_pages_exist(client, name):
    assert client.get(reverse(name)).status_code == 200


def test_an_unknown_page_is_a_french_404(client):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


class TestLoggedInCandidate:
    """The buttons of a logged-in candidate: their registration, and an alert when a piece is to replace."""

    def test_with_a_registration_it_offers_to_continue_it(self, logged_in, candidate):
        from tests.factories import RegistrationFactory

        registration = RegistrationFactory(candidate=candidate)
        with time_machine.travel(paris(2023, 11, 1, 10), tick=False):
            html = home(logged_in)
        assert f'href="{reverse("documents:overview", args=[registration.pk])}">Continuer mon inscription' in html
        assert "Créer mon compte</a>" not in html

    @pytest.mark.parametrize("status", ["locked", "cancelled"])
    def test_an_ended_registration_is_offered_to_be_seen_not_continued(self, logged_in, candidate, status):
        from tests.factories import RegistrationFactory

        registration = RegistrationFactory(candidate=candidate, status=status)
        with time_machine.travel(paris(2023, 11, 1, 10), tick=False):
            html = home(logged_in)
        assert f'href="{reverse("documents:overview", args=[registration.pk])}">Voir mon inscription' in html
        assert "Continuer mon inscription" not in html

    def test_without_one_it_offers_m_inscrire(self, logged_in):
        with time_machine.travel(paris(2023, 11, 1, 10), tick=False):
            html = home(logged_in)
        assert f'class="fr-btn" href="{reverse("exams:register")}">M\'inscrire' in html

    def test_a_piece_to_replace_is_a_prominent_alert_with_its_link_and_date(self, logged_in, candidate):
        from documents.models import PieceKind, PieceStatus
        from tests.factories import PieceFactory, RegistrationFactory

        registration = RegistrationFactory(candidate=candidate, status="locked")
        PieceFactory(registration=registration, piece_kind=PieceKind.objects.get(code="identity"), status=PieceStatus.TO_REPLACE,
                     review_reason="Copie illisible", replace_until=paris(2023, 11, 20, 17))
        with time_machine.travel(paris(2023, 11, 18), tick=False):
            html = home(logged_in)
        alert = html.split('id="standing"')[1].split("</div>")[0]
        assert alert.startswith(' role="alert"')
        assert french("Une pièce est à remplacer : Pièce d'identité.") in alert
        assert "Copie illisible" in alert and "20 novembre 2023 à 17h00" in alert
        assert f'href="{reverse("documents:pieces", args=[registration.pk])}">Mes justificatifs' in alert
