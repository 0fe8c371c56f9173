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
from tests.exams.helpers import give_marks
from tests.factories import paris
from tests.text import french

pytestmark = pytest.mark.django_db


def test_the_page_says_rattrapage_is_open_and_which_marks_would_reach_10(client, candidate, eligible):
    client.force_login(candidate)
    with time_machine.travel(paris(2024, 7, 6), tick=False):
        page = html.unescape(client.get(reverse("exams:results", args=[eligible.pk])).content.decode())
    assert "admis(e) à l'épreuve de rattrapage" in page
    assert french("E1 — Culture générale et expression : 10,67 / 20") in page  # 4 + 20/3 → 10.67
    assert "10 min de préparation et 10 min de soutenance" in page and "20 min de préparation" in page


def test_after_rattrapage_marks_the_candidate_is_admitted_and_downloads_the_transcript(client, candidate, eligible):
    e1, e2 = (Epreuve.objects.get(specialty=eligible.specialty, code=c) for c in ("E1", "E2"))
    rattrapage.rattrapage_choose(registration=eligible, epreuves=[e1, e2], at=paris(2024, 7, 7))
    give_marks(eligible, {"E1": "12", "E2": "3"}, group=Mark.RATTRAPAGE)  # E1 12 kept, E2 4 kept: 224/22 = 10.18
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
