"""A specialty whose professional dossier is not uploaded here: « Mes documents » gives the pilot
académie's instructions (text and link, edited on the specialty in admin) instead of nothing."""

import html

import pytest
import time_machine
from django.urls import reverse

from exams.models import Specialty
from tests.documents.helpers import OPEN
from tests.text import french

pytestmark = pytest.mark.django_db

INSTRUCTIONS = "Envoyez votre dossier en deux exemplaires avant le 15 avril 2024.\nIndiquez votre numéro d'inscription."


def my_documents(client, registration):
    client.force_login(registration.candidate)
    with time_machine.travel(OPEN, tick=False):
        return html.unescape(client.get(reverse("documents:mine", args=[registration.pk])).content.decode())


def give_instructions(specialty, **fields):
    Specialty.objects.filter(pk=specialty.pk).update(**fields)
    specialty.refresh_from_db()


def test_the_pilot_academys_instructions_and_link_are_given(client, registration):
    give_instructions(registration.specialty, dossier_pilot_academy="Lyon", dossier_instructions=INSTRUCTIONS,
                      dossier_instructions_url="https://www.ac-lyon.fr/bts-dossiers")
    page = my_documents(client, registration).split('id="professional-dossier"')[1].split("</section>")[0]
    assert french("il est envoyé à l'académie pilote (Lyon), selon ses consignes.") in page
    assert "Envoyez votre dossier en deux exemplaires avant le 15 avril 2024.<br>Indiquez votre numéro" in page
    assert '<a href="https://www.ac-lyon.fr/bts-dossiers" target="_blank" rel="noopener"' in page


def test_a_dossier_uploaded_here_gets_no_such_section(client, registration):
    give_instructions(registration.specialty, professional_dossier_in_portal=True, dossier_instructions=INSTRUCTIONS)
    assert 'id="professional-dossier"' not in my_documents(client, registration)


def test_without_instructions_nothing_is_claimed(client, registration):
    assert 'id="professional-dossier"' not in my_documents(client, registration)


def test_instructions_are_text_not_markup(client, registration):
    give_instructions(registration.specialty, dossier_instructions="<script>alert(1)</script>")
    client.force_login(registration.candidate)
    with time_machine.travel(OPEN, tick=False):
        page = client.get(reverse("documents:mine", args=[registration.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
