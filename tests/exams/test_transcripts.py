"""« Mes résultats » and the relevé de notes (exams/transcripts.py): what the jury decided, what
the rattrapage could change, and a PDF once there is a decision; only for their owner."""

import html
from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from exams import rattrapage
from exams.models import Epreuve, Mark
from tests.exams.helpers import confirm_jury, give_marks
from tests.factories import paris
from tests.text import french

pytestmark = pytest.mark.django_db


def results_page(client, registration, at):
    with time_machine.travel(at, tick=False):
        return html.unescape(client.get(reverse("exams:results", args=[registration.pk])).content.decode())


class TestNothingBeforePublication:
    """Marks staff imported show nothing to the candidate before the session publishes them."""

    def test_before_the_first_group_is_published_the_page_says_when_results_come(self, client, candidate, eligible):
        client.force_login(candidate)
        page = results_page(client, eligible, paris(2024, 7, 5, 9, 59))
        assert french("Les résultats de la session seront publiés ici le 12 juillet 2024 à 10h00, après la délibération "
                      "du jury.") in page
        assert "rattrapage" not in page and "4,00" not in page and "Moyenne" not in page and 'id="decision"' not in page

    def test_without_a_publication_date_it_says_the_rectorate_will_announce_it(self, client, candidate, eligible):
        eligible.session.results_published_at = eligible.session.first_group_results_published_at = None
        eligible.session.save()
        client.force_login(candidate)
        page = results_page(client, eligible, paris(2024, 7, 20))
        assert french("le rectorat en annoncera la date") in page and "4,00" not in page

    def test_once_the_first_group_is_published_those_concerned_see_only_the_choice(self, client, candidate, eligible):
        client.force_login(candidate)
        page = results_page(client, eligible, paris(2024, 7, 5, 10))
        assert "Vous êtes admis(e) à l'épreuve de rattrapage" in page
        assert "Mes deux épreuves de rattrapage" in page
        assert "10 min de préparation et 10 min de soutenance" in page and "20 min de préparation" in page
        assert "4,00" not in page and "Moyenne générale" not in page and "Note à obtenir" not in page

    def test_a_candidate_the_first_group_does_not_send_to_rattrapage_sees_nothing_yet(self, client, candidate, locked):
        give_marks(locked, {"E1": "14", "E2": "14", "E31": "14", "E32": "14", "E4": "14", "E5": "14", "E6": "14"})
        locked.session.first_group_results_published_at = paris(2024, 7, 5, 10)
        locked.session.results_published_at = paris(2024, 7, 12, 10)
        locked.session.save()
        client.force_login(candidate)
        page = results_page(client, locked, paris(2024, 7, 6))
        assert "admis" not in page and "14,00" not in page and 'id="not-published"' in page
        confirm_jury(locked)
        page = results_page(client, locked, paris(2024, 7, 12, 10))
        assert '<strong id="decision">admis(e)</strong>' in page and "14,00" in page

    def test_no_transcript_before_publication_even_with_a_decision(self, client, candidate, locked):
        give_marks(locked, {"E1": "14", "E2": "14", "E31": "14", "E32": "14", "E4": "14", "E5": "14", "E6": "14"})
        locked.session.results_published_at = paris(2024, 7, 12, 10)
        locked.session.save()
        confirm_jury(locked)
        client.force_login(candidate)
        with time_machine.travel(paris(2024, 7, 12, 9, 59), tick=False):
            assert client.get(reverse("exams:transcript", args=[locked.pk])).status_code == 404
        with time_machine.travel(paris(2024, 7, 12, 10), tick=False):
            assert client.get(reverse("exams:transcript", args=[locked.pk]))["Content-Type"] == "application/pdf"


def test_once_published_the_page_says_which_marks_would_reach_10(client, candidate, eligible):
    client.force_login(candidate)
    e1, e2 = (Epreuve.objects.get(specialty=eligible.specialty, code=c) for c in ("E1", "E2"))
    rattrapage.rattrapage_choose(registration=eligible, epreuves=[e1, e2], at=paris(2024, 7, 7))
    page = results_page(client, eligible, paris(2024, 7, 12, 10))
    assert "admis(e) à l'épreuve de rattrapage" in page
    assert french("E1 — Culture générale et expression : 10,67 / 20") in page  # 4 + 20/3 → 10.67


def test_without_a_choice_by_the_deadline_the_first_group_decides(client, candidate, eligible):
    client.force_login(candidate)
    page = results_page(client, eligible, paris(2024, 7, 12, 10))
    assert '<strong id="decision">en attente de la délibération du jury</strong>' in page  # refused, for the jury to confirm
    confirm_jury(eligible)
    assert '<strong id="decision">refusé(e)</strong>' in results_page(client, eligible, paris(2024, 7, 12, 10))


def test_after_rattrapage_marks_the_candidate_is_admitted_and_downloads_the_transcript(client, candidate, eligible):
    e1, e2 = (Epreuve.objects.get(specialty=eligible.specialty, code=c) for c in ("E1", "E2"))
    rattrapage.rattrapage_choose(registration=eligible, epreuves=[e1, e2], at=paris(2024, 7, 7))
    give_marks(eligible, {"E1": "12", "E2": "3"}, group=Mark.RATTRAPAGE)  # E1 12 kept, E2 4 kept: 224/22 = 10.18
    confirm_jury(eligible)
    client.force_login(candidate)
    page = html.unescape(client.get(reverse("exams:results", args=[eligible.pk])).content.decode())
    assert '<strong id="decision">admis(e)</strong>' in page
    response = client.get(reverse("exams:transcript", args=[eligible.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(BytesIO(response.content)).pages[0].extract_text()
    assert "Relevé de notes" in text and "admis(e)" in text and "10,18" in text


def test_no_transcript_before_the_decision(client, candidate, eligible):
    client.force_login(candidate)
    assert client.get(reverse("exams:transcript", args=[eligible.pk])).status_code == 404


def test_another_candidates_results_are_404(client, other_candidate, eligible):
    client.force_login(other_candidate)
    assert client.get(reverse("exams:results", args=[eligible.pk])).status_code == 404
