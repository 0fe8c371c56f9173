"""Django's admin phrases in French that agree with any of the portal's models (locale/fr/LC_MESSAGES/django.po).

Django's own put the model's name into a sentence made for a masculine noun starting with a
consonant: « Modification de inscription », « inscriptions sélectionnés », « L'objet inscription ».
"""

import re

import pytest
from django.urls import reverse

from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db

WRONG = ["de inscription", "inscriptions sélectionnés", "objet inscription", "L’objet", "l’objet"]


def words(html):
    """The page's text as read: without tags, French no-break spaces as plain spaces."""
    return re.sub(r"[\u00a0\u202f]", " ", re.sub(r"<[^>]+>", "", html))


def title(page):
    return words(page.split("<title>")[1].split("</title>")[0])


def test_the_registrations_list_is_titled_without_a_broken_elision(staff_client):
    page = staff_client.get(reverse("admin:exams_registration_changelist")).content.decode()
    assert title(page).startswith("Choisir l’élément à modifier : inscription |")
    assert not any(wrong in page for wrong in WRONG)


def test_the_delete_action_names_the_selection_without_an_agreement_to_get_wrong(staff_client):
    RegistrationFactory()
    page = staff_client.get(reverse("admin:exams_registration_changelist")).content.decode()
    assert "Supprimer la sélection (inscriptions)" in words(page)
    assert "sélectionnés" not in page


def test_a_registration_page_is_titled_modifier_inscription(staff_client):
    registration = RegistrationFactory()
    page = staff_client.get(reverse("admin:exams_registration_change", args=[registration.pk])).content.decode()
    assert f"{registration.number} | Modifier : inscription |" in title(page)
    assert "Modification de inscription" not in page


def test_the_message_after_a_save_names_the_model_without_l_objet(staff_client):
    response = staff_client.post(reverse("admin:documents_rejectionreason_add"),
                                 {"label": "Document illisible", "position": "5", "_save": "Enregistrer"}, follow=True)
    page = words(response.content.decode())
    assert "Ajout enregistré : motif de remplacement « Document illisible »." in page
    assert "L’objet" not in page and "L'objet" not in page


def test_a_missing_registration_is_explained_without_gender(staff_client):
    response = staff_client.get(reverse("admin:exams_registration_change", args=[999_999]), follow=True)
    assert "Aucun élément « inscription » n’a l’identifiant « 999999 »." in words(response.content.decode())
