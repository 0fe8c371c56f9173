import html

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from exams.models import Registration, Specialty
from tests.factories import RegistrationFactory, UserFactory, paris
from tests.text import french

pytestmark = pytest.mark.django_db

OPEN = paris(2023, 11, 1, 10)
STEPS = {
    "situation": {"category": "employee", "employment_months": "18"},
    "preparation": {"pathway": "apprentissage", "diploma": "bac_pro", "apprenticeship_contract_years": "1", "training_hours": "700"},
    "specialite": {"specialty": "", "option": "", "language": "anglais", "engagement_etudiant": "False"},
    "dispenses": {field: "False" for field in ["claims_dispenses", "keeps_grade_benefits", "renounces_benefits",
                                                "has_positioning_decision", "has_internship_derogation"]},
    "amenagement": {"handicap": "False"},
}


def step_data(step, **changes):
    data = dict(STEPS[step])
    if step == "specialite":
        data["specialty"] = Specialty.objects.get(code="BAT").pk
    return {**data, **changes}


def post_step(client, registration, step, **changes):
    return client.post(reverse("exams:step", args=[registration.pk, step]), step_data(step, **changes))


def start(client):
    client.post(reverse("exams:start"))
    return Registration.objects.get()


def fill_all(client, registration):
    for step in STEPS:
        response = post_step(client, registration, step)
        assert response.status_code == 302, html.unescape(response.content.decode())[-2000:]


def give_address(candidate):
    """The confirmation shows the postal address: without it no registration is complete."""
    candidate.address_line, candidate.postal_code, candidate.city = "12 rue des Lilas", "14000", "Caen"
    candidate.save()


def test_a_candidate_registers_step_by_step(logged_in, candidate, run_on_commit):
    give_address(candidate)
    with time_machine.travel(OPEN, tick=False), run_on_commit():
        registration = start(logged_in)
        fill_all(logged_in, registration)
    registration.refresh_from_db()
    assert registration.number == f"2024-{registration.pk:06d}"
    assert registration.specialty.name == "Bâtiment"
    assert registration.training_hours == 700
    assert registration.completed_at is not None
    assert [m.subject for m in mail.outbox] == [f"Inscription {registration.number} enregistrée"]


def test_each_saved_change_grows_the_version_and_emails_modification(logged_in, candidate, run_on_commit):
    give_address(candidate)
    with time_machine.travel(OPEN, tick=False), run_on_commit():
        registration = start(logged_in)
        fill_all(logged_in, registration)
        registration.refresh_from_db()
        version = registration.version
        post_step(logged_in, registration, "specialite", language="anglais", engagement_etudiant="True")
        post_step(logged_in, registration, "specialite", language="anglais", engagement_etudiant="True")  # no change: no new version
    registration.refresh_from_db()
    assert registration.version == version + 1
    assert mail.outbox[-1].subject == f"Modification d'inscription {registration.number}"
    assert len(mail.outbox) == 2


def test_a_failed_rule_is_explained_next_to_its_field_and_saves_nothing(logged_in):
    with time_machine.travel(OPEN, tick=False):
        registration = start(logged_in)
        response = post_step(logged_in, registration, "preparation", training_hours="600")
    page = html.unescape(response.content.decode())
    assert french("675 heures minimum pour un contrat d'un an ; vous avez indiqué 600.") in page.split('id="id_training_hours-desc-error"')[1][:500]
    registration.refresh_from_db()
    assert registration.pathway == "" and registration.version == 0


def test_answers_of_another_pathway_are_not_kept(logged_in):
    with time_machine.travel(OPEN, tick=False):
        registration = start(logged_in)
        post_step(logged_in, registration, "preparation")
        post_step(logged_in, registration, "preparation", pathway="formation_continue", diploma="none")
    registration.refresh_from_db()
    assert registration.training_hours is None and registration.apprenticeship_contract_years is None


class TestWindow:
    def test_starting_at_11_59_is_refused_and_at_12_00_allowed(self, logged_in):
        with time_machine.travel(paris(2023, 10, 18, 11, 59), tick=False):
            response = logged_in.post(reverse("exams:start"))
        assert response.status_code == 403
        assert "aucune inscription ni modification n'est possible" in html.unescape(response.content.decode())
        assert not Registration.objects.exists()
        with time_machine.travel(paris(2023, 10, 18, 12, 0), tick=False):
            logged_in.post(reverse("exams:start"))
        assert Registration.objects.count() == 1

    def test_a_change_at_17_00_is_saved(self, logged_in, candidate):
        registration = RegistrationFactory(candidate=candidate)
        with time_machine.travel(paris(2023, 11, 15, 17, 0), tick=False):
            assert post_step(logged_in, registration, "specialite", specialty=registration.specialty_id,
                             language="italien").status_code == 302
        registration.refresh_from_db()
        assert registration.language == "italien"

    def test_a_replayed_post_at_17_01_changes_nothing(self, logged_in, candidate):
        registration = RegistrationFactory(candidate=candidate)
        with time_machine.travel(paris(2023, 11, 15, 17, 1), tick=False):
            response = post_step(logged_in, registration, "specialite", language="italien")
        assert response.status_code == 403
        registration.refresh_from_db()
        assert registration.language == "anglais" and registration.version == 1

    def test_an_invalid_post_after_closing_is_refused_too(self, logged_in, candidate):
        registration = RegistrationFactory(candidate=candidate)
        with time_machine.travel(paris(2023, 11, 16), tick=False):
            assert post_step(logged_in, registration, "preparation", training_hours="1").status_code == 403

    def test_a_locked_registration_cannot_be_changed(self, logged_in, candidate):
        registration = RegistrationFactory(candidate=candidate, status="locked")
        with time_machine.travel(OPEN, tick=False):
            response = post_step(logged_in, registration, "specialite", language="italien")
        assert response.status_code == 403
        registration.refresh_from_db()
        assert registration.language == "anglais"


class TestOwnership:
    @pytest.mark.parametrize("url_name,args", [
        ("documents:overview", []), ("exams:step", ["situation"]), ("documents:mine", []),
        ("documents:status", []), ("documents:download", ["confirmation"]),
    ])
    def test_another_candidates_registration_answers_404(self, client, other_candidate, url_name, args):
        registration = RegistrationFactory()
        client.force_login(other_candidate)
        assert client.get(reverse(url_name, args=[registration.pk, *args])).status_code == 404

    def test_another_candidate_cannot_post_to_it(self, client, other_candidate):
        registration = RegistrationFactory()
        client.force_login(other_candidate)
        with time_machine.travel(OPEN, tick=False):
            assert post_step(client, registration, "specialite", language="italien").status_code == 404
        registration.refresh_from_db()
        assert registration.language == "anglais"

    def test_an_anonymous_visitor_is_sent_to_login(self, client):
        registration = RegistrationFactory()
        response = client.get(reverse("documents:overview", args=[registration.pk]))
        assert response.status_code == 302 and reverse("candidates:login") in response["Location"]


def test_each_step_page_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    """The same count for a simple and a full registration, whatever the answers."""
    simple = RegistrationFactory()
    full = RegistrationFactory(pathway="apprentissage", apprenticeship_contract_years=2, training_hours=1400,
                               specialty=Specialty.objects.get(code="MS"),
                               option=Specialty.objects.get(code="MS").options.get(code="B"),
                               engagement_etudiant=True, claims_dispenses=True, keeps_grade_benefits=True, renounces_benefits=False)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for step in [*STEPS, None]:
        counts = []
        for registration in (simple, full):
            client.force_login(registration.candidate)
            url = reverse("documents:overview", args=[registration.pk]) if step is None else reverse("exams:step", args=[registration.pk, step])
            client.get(url)  # fills the caches (site configuration, requirement matrix): the steady state is measured
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
        assert counts[0] == counts[1], f"{step or 'overview'}: {counts}"


def test_a_candidate_of_an_earlier_session_registers_again_with_the_same_account(client, run_on_commit):
    user = UserFactory(date_joined=paris(2021, 10, 20))
    client.force_login(user)
    with time_machine.travel(OPEN, tick=False):
        registration = start(client)
    assert registration.candidate == user
