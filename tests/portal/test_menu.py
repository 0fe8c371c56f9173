"""The candidate's menu: their registration, « Mes documents » and « Mes justificatifs » of it,
and « Mes convocations » and « Mes résultats » only when they hold something; one query a page."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exams.models import RegistrationStatus
from tests.factories import ConvocationFactory, ExamSessionFactory, MarkFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def menu(client):
    text = html.unescape(client.get(reverse("candidates:account")).content.decode())
    nav = text.split('id="fr-navigation"')[1].split("</nav>")[0]
    return {re.sub(r"\s+", " ", label).strip(): href for href, label in re.findall(r'href="([^"]+)"[^>]*>([^<]+)<', nav)}


def test_without_a_registration_it_offers_m_inscrire_only(logged_in):
    assert list(menu(logged_in)) == ["Accueil", "M'inscrire", "Mon compte", "Mes messages"]


def test_with_a_registration_it_links_to_it_and_its_documents_and_pieces(logged_in, candidate):
    registration = RegistrationFactory(candidate=candidate)
    entries = menu(logged_in)
    assert entries["Mon inscription"] == reverse("documents:overview", args=[registration.pk])
    assert entries["Mes documents"] == reverse("documents:mine", args=[registration.pk])
    assert entries["Mes justificatifs"] == reverse("documents:pieces", args=[registration.pk])
    assert "Mes convocations" not in entries and "Mes résultats" not in entries


def test_it_follows_the_latest_session(logged_in, candidate):
    RegistrationFactory(candidate=candidate)
    later = RegistrationFactory(candidate=candidate, session=ExamSessionFactory(year=2125))
    assert menu(logged_in)["Mes justificatifs"] == reverse("documents:pieces", args=[later.pk])


def test_a_published_convocation_adds_mes_convocations(logged_in, candidate):
    ConvocationFactory(registration__candidate=candidate)
    assert menu(logged_in)["Mes convocations"] == reverse("exams:convocations")


def test_published_marks_add_mes_resultats(logged_in, candidate):
    from django.utils import timezone

    registration = RegistrationFactory(candidate=candidate, status=RegistrationStatus.LOCKED)
    MarkFactory(registration=registration)
    assert "Mes résultats" not in menu(logged_in)  # marks staff imported, not yet published
    registration.session.results_published_at = timezone.now()
    registration.session.save()
    assert menu(logged_in)["Mes résultats"] == reverse("exams:results", args=[registration.pk])


def test_another_candidate_s_convocation_or_marks_add_nothing(logged_in, other_candidate):
    ConvocationFactory(registration__candidate=other_candidate)
    MarkFactory(registration=ConvocationFactory(registration__candidate=other_candidate, registration__session=ExamSessionFactory()).registration)
    assert list(menu(logged_in)) == ["Accueil", "M'inscrire", "Mon compte", "Mes messages"]


def test_the_menu_costs_one_query(logged_in, candidate):
    ConvocationFactory(registration__candidate=candidate)
    logged_in.get(reverse("candidates:account"))  # the shell's cached parts are filled
    with CaptureQueriesContext(connection) as queries:
        logged_in.get(reverse("candidates:account"))
    assert len([q for q in queries if "exams_convocation" in q["sql"]]) == 1


def test_a_convocation_published_after_the_menu_was_drawn_shows_at_once(logged_in, candidate):
    registration = RegistrationFactory(candidate=candidate, status=RegistrationStatus.LOCKED)
    assert "Mes convocations" not in menu(logged_in)
    ConvocationFactory(registration=registration)
    assert "Mes convocations" in menu(logged_in)


class TestDuringTheRattrapageChoice:
    """Between the first group's results and the choice's deadline, « Mes résultats » holds only the
    rattrapage choice: the entry shows to those the first group sends to it, and to no one else."""

    @pytest.fixture
    def window_open(self):
        import time_machine

        from tests.exams.conftest import FIRST_GROUP_PUBLISHED, RATTRAPAGE_DEADLINE

        with time_machine.travel(FIRST_GROUP_PUBLISHED, tick=False):
            yield FIRST_GROUP_PUBLISHED, RATTRAPAGE_DEADLINE

    def registration_with(self, candidate, marks, window_open):
        from exams.models import Specialty
        from tests.exams.helpers import give_marks

        registration = RegistrationFactory(candidate=candidate, specialty=Specialty.objects.get(code="BAT"),
                                           status=RegistrationStatus.LOCKED)
        give_marks(registration, marks)
        session = registration.session
        session.first_group_results_published_at, session.rattrapage_choice_deadline = window_open
        session.save()
        return registration

    def test_a_candidate_sent_to_the_rattrapage_sees_the_entry(self, logged_in, candidate, window_open):
        from tests.exams.helpers import RATTRAPAGE_MARKS

        registration = self.registration_with(candidate, RATTRAPAGE_MARKS, window_open)
        assert menu(logged_in)["Mes résultats"] == reverse("exams:results", args=[registration.pk])

    def test_a_candidate_the_first_group_does_not_send_there_sees_none(self, logged_in, candidate, window_open):
        self.registration_with(candidate, {code: "14" for code in ["E1", "E2", "E31", "E32", "E4", "E5", "E6"]}, window_open)
        assert "Mes résultats" not in menu(logged_in)
