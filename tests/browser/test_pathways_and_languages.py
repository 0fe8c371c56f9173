"""Issue 16, items 2 and 3, on a phone (390×844) by the French labels: the year of activity asked
and refused below technician level, voie scolaire's two years, the language list keeping the
chosen specialty's languages, and a distance learner confirming their language (the notice, F)."""

import os

import pytest
from playwright.sync_api import expect

from exams.models import Category, Specialty
from tests.browser.helpers import PASSWORD, log_in, step_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SHOTS_DIR", "")


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"i16-{name}.png"), full_page=True)


def test_the_year_of_activity_is_described_and_a_workers_job_refused(live_server, phone, registration):
    log_in(phone, live_server, "camille@exemple.fr", PASSWORD)
    phone.goto(step_url(live_server, registration, "preparation"))
    two_years = phone.get_by_role("group", name="Voie scolaire : avez-vous suivi, ou suivez-vous, les deux années de formation ?")
    expect(two_years).to_be_visible()  # the registration says « Voie scolaire »
    job = phone.get_by_label("Emploi occupé pendant cette activité")
    expect(job).to_be_hidden()

    phone.get_by_text("Un an d'activité professionnelle dans un domaine en rapport avec la spécialité", exact=True).click()
    expect(two_years).to_be_hidden()
    phone.get_by_label("Durée de votre activité professionnelle effective (mois)").fill("14")
    job.fill("Magasinier")
    phone.get_by_text("Ouvrier(ère) ou employé(e)", exact=True).click()
    phone.get_by_label("Domaine de cette activité").fill("Logistique")
    phone.get_by_role("group", name="Ce domaine est-il en rapport avec la spécialité du BTS que vous présentez ?") \
        .get_by_text("Oui", exact=True).click()
    phone.get_by_role("button", name="Enregistrer et continuer").click()
    expect(phone.locator("#id_experience_level-desc-error")).to_contain_text(
        "demande un emploi de niveau au moins égal à celui de technicien (notice, B)")
    shot(phone, "experience-refused")

    job.fill("Technicien logistique")
    phone.get_by_text("Technicien(ne)", exact=True).click()
    phone.get_by_role("button", name="Enregistrer et continuer").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Spécialité et épreuves")
    registration.refresh_from_db()
    assert (registration.experience_level, registration.experience_job) == ("technician", "Technicien logistique")


def test_the_language_list_keeps_the_chosen_specialtys_languages(live_server, phone, registration):
    log_in(phone, live_server, "camille@exemple.fr", PASSWORD)
    phone.goto(step_url(live_server, registration, "specialite"))
    language = phone.get_by_label("Langue vivante obligatoire")
    phone.get_by_label("Spécialité").select_option(label="Comptabilité et gestion")
    expect(language.locator("option:not([hidden])")).to_have_text(
        ["Choisissez une langue", "Anglais", "Allemand", "Espagnol", "Italien"])
    language.select_option(label="Espagnol")
    phone.get_by_label("Spécialité").select_option(label="Bâtiment")
    expect(language.locator("option:not([hidden])")).to_have_text(["Choisissez une langue", "Anglais"])
    expect(language).to_have_value("")  # Spanish is not offered there: the choice is emptied, not sent
    shot(phone, "languages-of-a-specialty")


def test_a_distance_learner_confirms_their_organisation_teaches_the_language(live_server, phone, registration):
    registration.category, registration.distance_learning_organisation = Category.DISTANCE_LEARNING, "CNED"
    registration.save()
    log_in(phone, live_server, "camille@exemple.fr", PASSWORD)
    phone.goto(step_url(live_server, registration, "specialite"))
    phone.get_by_role("button", name="Enregistrer et continuer").click()
    expect(phone.locator("#id_distance_language_confirmed-desc-error")).to_contain_text(
        "doit être enseignée conformément à la règlementation du BTS » (notice, F)")
    shot(phone, "distance-language")
    phone.get_by_label("Je confirme que mon organisme d'enseignement à distance enseigne cette langue pour ce BTS").check(force=True)
    phone.get_by_role("button", name="Enregistrer et continuer").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Dispenses et bénéfices")
    registration.refresh_from_db()
    assert registration.distance_language_confirmed and registration.specialty == Specialty.objects.get(code="CG")
