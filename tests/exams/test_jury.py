"""The jury's decision (exams/jury.py): the marks' decision by default, confirmed by a member of
the jury, or changed by them; recorded with who and when, kept in the history; the candidate
reads « admis(e) » or « refusé(e) » only from it, once the session's results are published."""

import html

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse

from exams.jury import jury_decision_confirm
from exams.models import JuryDecision, Verdict
from tests.exams.helpers import give_marks
from tests.factories import RegistrationFactory, StaffFactory, paris
from tests.portal.helpers import log_in_with_second_factor
from tests.text import french

pytestmark = pytest.mark.django_db

PASSING = {"E1": "14", "E2": "14", "E31": "14", "E32": "14", "E4": "14", "E5": "14", "E6": "14"}
FAILING = {"E1": "5", "E2": "5", "E31": "5", "E32": "5", "E4": "5", "E5": "5", "E6": "5"}
PUBLISHED = paris(2024, 7, 12, 10)


@pytest.fixture
def jury_member():
    member = StaffFactory(email="president.jury@ac-normandie.fr", first_name="Hélène", last_name="Lemaire", is_superuser=False)
    member.groups.add(Group.objects.get(name="Jury"))
    return member


@pytest.fixture
def published(locked):
    locked.session.results_published_at = PUBLISHED
    locked.session.save()
    return locked


def results_page(client, registration):
    client.force_login(registration.candidate)
    with time_machine.travel(paris(2024, 7, 13), tick=False):
        return html.unescape(client.get(reverse("exams:results", args=[registration.pk])).content.decode())


class TestRecording:
    def test_the_marks_decision_is_confirmed_with_who_and_when(self, locked, jury_member):
        give_marks(locked, PASSING)
        decision = jury_decision_confirm(registration=locked, by=jury_member, at=paris(2024, 7, 11, 15))
        assert (decision.verdict, decision.computed, decision.confirmed_by, decision.confirmed_at) == (
            Verdict.ADMIS, Verdict.ADMIS, jury_member, paris(2024, 7, 11, 15))
        assert not decision.departs_from_the_marks

    def test_the_jury_may_decide_otherwise_and_the_history_keeps_both(self, locked, jury_member):
        give_marks(locked, FAILING)
        jury_decision_confirm(registration=locked, by=jury_member)
        decision = jury_decision_confirm(registration=locked, by=jury_member, verdict=Verdict.ADMIS)
        assert (decision.verdict, decision.computed) == (Verdict.ADMIS, Verdict.REFUSE) and decision.departs_from_the_marks
        assert list(decision.history.order_by("history_date").values_list("verdict", flat=True)) == [Verdict.REFUSE, Verdict.ADMIS]

    def test_nothing_is_recorded_while_a_mark_is_missing(self, locked, jury_member):
        give_marks(locked, {code: mark for code, mark in PASSING.items() if code != "E6"})
        with pytest.raises(ValidationError):
            jury_decision_confirm(registration=locked, by=jury_member)
        assert not JuryDecision.objects.exists()

    def test_nothing_is_recorded_while_the_rattrapage_is_to_come(self, eligible, jury_member):
        with time_machine.travel(paris(2024, 7, 6), tick=False), pytest.raises(ValidationError):
            jury_decision_confirm(registration=eligible, by=jury_member)


class TestWhatTheCandidateReads:
    def test_before_the_jury_confirms_the_decision_is_awaited_and_there_is_no_transcript(self, client, published):
        give_marks(published, PASSING)
        page = results_page(client, published)
        assert '<strong id="decision">en attente de la délibération du jury</strong>' in page and "14,00" in page
        with time_machine.travel(paris(2024, 7, 13), tick=False):
            assert client.get(reverse("exams:transcript", args=[published.pk])).status_code == 404

    def test_the_jurys_decision_is_what_the_candidate_reads_even_against_the_marks(self, client, published, jury_member):
        give_marks(published, FAILING)
        jury_decision_confirm(registration=published, by=jury_member, verdict=Verdict.ADMIS)
        assert '<strong id="decision">admis(e)</strong>' in results_page(client, published)


class TestInAdmin:
    def confirm_from_the_list(self, client, *registrations):
        return client.post(reverse("admin:exams_registration_changelist"), {
            "action": "confirm_jury_decisions", "_selected_action": [r.pk for r in registrations]}, follow=True)

    def test_a_jury_member_confirms_the_selected_decisions_and_is_told_which_wait(self, client, locked, jury_member):
        give_marks(locked, PASSING)
        waiting = RegistrationFactory(specialty=locked.specialty, status="locked")
        log_in_with_second_factor(client, jury_member)
        page = html.unescape(self.confirm_from_the_list(client, locked, waiting).content.decode())
        assert "1 décision du jury confirmée." in page
        assert french(f"{waiting.number} : les notes ne permettent pas encore de décision") in page
        assert JuryDecision.objects.get().confirmed_by == jury_member

    def test_dec_staff_enter_marks_but_cannot_confirm_a_decision(self, client, locked, dec_staff):
        give_marks(locked, PASSING)
        log_in_with_second_factor(client, dec_staff)
        page = client.get(reverse("admin:exams_registration_changelist")).content.decode()
        assert "confirm_jury_decisions" not in page
        self.confirm_from_the_list(client, locked)
        assert not JuryDecision.objects.exists()

    def test_a_decision_changed_in_admin_records_who_changed_it(self, client, locked, jury_member):
        give_marks(locked, FAILING)
        decision = jury_decision_confirm(registration=locked, by=StaffFactory())
        log_in_with_second_factor(client, jury_member)
        client.post(reverse("admin:exams_jurydecision_change", args=[decision.pk]), {"verdict": Verdict.ADMIS})
        decision.refresh_from_db()
        assert (decision.verdict, decision.computed, decision.confirmed_by) == (Verdict.ADMIS, Verdict.REFUSE, jury_member)


class TestInAdminSafeguards:
    def test_confirming_in_bulk_never_overwrites_a_decision_the_jury_changed(self, client, locked, jury_member):
        give_marks(locked, FAILING)
        jury_decision_confirm(registration=locked, by=jury_member, verdict=Verdict.ADMIS)  # points de jury
        log_in_with_second_factor(client, jury_member)
        page = html.unescape(client.post(reverse("admin:exams_registration_changelist"), {
            "action": "confirm_jury_decisions", "_selected_action": [locked.pk]}, follow=True).content.decode())
        assert "1 inscription avait déjà sa décision du jury" in page
        assert JuryDecision.objects.get().verdict == Verdict.ADMIS

    def test_a_decision_cannot_be_added_while_the_marks_decide_nothing(self, client, locked, jury_member):
        log_in_with_second_factor(client, jury_member)
        response = client.post(reverse("admin:exams_jurydecision_add"), {"registration": locked.pk, "verdict": Verdict.ADMIS})
        assert response.status_code == 200
        assert "ne permettent pas encore de décision" in html.unescape(response.content.decode())
        assert not JuryDecision.objects.exists()

    def test_a_decision_added_in_admin_is_recorded_with_its_author(self, client, locked, jury_member):
        give_marks(locked, PASSING)
        log_in_with_second_factor(client, jury_member)
        response = client.post(reverse("admin:exams_jurydecision_add"), {"registration": locked.pk, "verdict": Verdict.ADMIS})
        decision = JuryDecision.objects.get()
        assert response.status_code == 302
        assert (decision.verdict, decision.confirmed_by) == (Verdict.ADMIS, jury_member)


class TestAMarkChangedAfterTheDecision:
    """A mark corrected after the jury deliberated: the decision is to confirm again, and until
    then the candidate reads it awaited, not a verdict the marks may no longer give."""

    def correct(self, registration, code, value):
        from decimal import Decimal

        from exams.models import Mark

        mark = Mark.objects.get(registration=registration, epreuve__code=code, group=Mark.FIRST)
        mark.value = Decimal(value)
        mark.save()

    def test_the_candidate_reads_it_awaited_until_the_jury_confirms_again(self, client, published, jury_member):
        give_marks(published, PASSING)
        jury_decision_confirm(registration=published, by=jury_member)
        assert '<strong id="decision">admis(e)</strong>' in results_page(client, published)
        self.correct(published, "E4", "3")
        page = results_page(client, published)
        assert '<strong id="decision">en attente de la délibération du jury</strong>' in page
        jury_decision_confirm(registration=published, by=jury_member)
        assert '<strong id="decision">admis(e)</strong>' in results_page(client, published)  # 11.5: still admitted

    def test_the_same_marks_saved_again_change_nothing(self, published, jury_member):
        from exams.jury import decision_is_stale

        give_marks(published, PASSING)
        decision = jury_decision_confirm(registration=published, by=jury_member)
        self.correct(published, "E4", "14")  # an import of the same file saves every line again
        assert not decision_is_stale(decision)

    def test_confirming_in_bulk_follows_the_new_marks_unless_the_jury_had_departed_from_them(self, published, jury_member, client):
        from exams.jury import decision_is_stale

        followed = published
        departed = RegistrationFactory(specialty=published.specialty, status="locked", session=published.session)
        give_marks(followed, PASSING), give_marks(departed, FAILING)
        jury_decision_confirm(registration=followed, by=jury_member)
        jury_decision_confirm(registration=departed, by=jury_member, verdict=Verdict.ADMIS)  # points de jury
        self.correct(followed, "E1", "13"), self.correct(departed, "E1", "6")
        log_in_with_second_factor(client, jury_member)
        response = client.post(reverse("admin:exams_registration_changelist"), {
            "action": "confirm_jury_decisions", "_selected_action": [followed.pk, departed.pk]}, follow=True)
        page = french(html.unescape(response.content.decode()))
        assert "1 décision du jury confirmée" in page
        assert french(f"{departed.number} : une note a changé depuis la décision du jury, qui s'écartait des notes") in page
        assert not decision_is_stale(JuryDecision.objects.get(registration=followed))
        assert decision_is_stale(JuryDecision.objects.get(registration=departed))
        assert JuryDecision.objects.get(registration=departed).verdict == Verdict.ADMIS


class TestWhatElseTheDecisionRestsOn:
    def test_a_changed_rattrapage_choice_makes_it_stale(self, eligible, jury_member):
        from exams import rattrapage
        from exams.jury import decision_is_stale
        from tests.exams.helpers import RATTRAPAGE_MARKS

        general = [e for e in eligible.specialty.epreuves.filter(domain="general").order_by("code")]
        rattrapage.rattrapage_choose(registration=eligible, epreuves=general[:2], at=paris(2024, 7, 6))
        give_marks(eligible, {general[0].code: "16", general[1].code: "16"}, group="rattrapage")
        decision = jury_decision_confirm(registration=eligible, by=jury_member)
        assert RATTRAPAGE_MARKS and not decision_is_stale(decision)
        rattrapage.rattrapage_choose(registration=eligible, epreuves=general[2:4], at=paris(2024, 7, 7))
        assert decision_is_stale(decision)

    def test_a_changed_answer_on_benefits_makes_it_stale(self, published, jury_member):
        from exams.jury import decision_is_stale
        from exams.models import Registration

        give_marks(published, PASSING)
        decision = jury_decision_confirm(registration=published, by=jury_member)
        Registration.objects.filter(pk=published.pk).update(keeps_grade_benefits=True)
        assert decision_is_stale(decision)
