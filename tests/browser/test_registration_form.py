"""The registration form on a phone (390×844), by its French labels: a field of one pathway
appears and disappears, the option list keeps the chosen specialty's options, a contradictory
answer gets its French message next to the question, and the dashboard's list of what is
missing links to the step that asks it."""

import os
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PASSWORD, PHONE, log_in, step_url
from tests.text import french

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SHOTS_DIR", "")


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"f4-{name}.png"), full_page=True)


def test_the_apprenticeship_questions_show_only_for_an_apprentice(live_server, phone, registration):
    log_in(phone, live_server, "camille@exemple.fr", PASSWORD)
    phone.goto(step_url(live_server, registration, "preparation"))
    hours = phone.get_by_label("Heures de formation en CFA")
    months = phone.get_by_label("Durée de votre activité professionnelle effective (mois)")
    expect(hours).to_be_hidden()  # the registration says « Voie scolaire »
    expect(phone.get_by_text("Diplôme détenu")).to_be_visible()

    phone.get_by_text("Ex-apprenti(e)", exact=True).click()
    expect(hours).to_be_visible()
    expect(phone.get_by_label("Durée du contrat d'apprentissage (années)")).to_be_visible()
    expect(months).to_be_hidden()
    shot(phone, "preparation-apprentice")

    phone.get_by_text("Un an d'activité professionnelle dans un domaine en rapport avec la spécialité", exact=True).click()
    expect(hours).to_be_hidden()
    expect(phone.get_by_text("Diplôme détenu")).to_be_hidden()
    expect(months).to_be_visible()
    shot(phone, "preparation-experience")


def test_the_option_list_keeps_the_chosen_specialtys_options(live_server, phone, registration):
    log_in(phone, live_server, "camille@exemple.fr", PASSWORD)
    phone.goto(step_url(live_server, registration, "specialite"))
    option = phone.get_by_label("Option")
    expect(option).to_be_hidden()  # Comptabilité et gestion has none
    phone.get_by_label("Spécialité").select_option(label="Maintenance des systèmes")
    expect(option).to_be_visible()
    visible = option.locator("optgroup:not([hidden]) option").all_inner_texts()
    assert visible and all(text[0] in "ABCD" for text in visible), visible
    assert option.locator("optgroup:not([hidden])").count() == 1
    assert option.locator("option").first.inner_text() == "Choisissez l'option de votre spécialité"
    shot(phone, "specialty-options")


KEEPS = "Vous êtes-vous déjà présenté(e) à l'examen et conservez-vous des bénéfices de notes ?"
RENOUNCES = "Renoncez-vous à un ou plusieurs bénéfices de notes ?"


@pytest.fixture
def phone_without_javascript(browser):
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", viewport=PHONE, java_script_enabled=False)
    yield context.new_page()
    context.close()


def test_step_four_starts_unanswered_and_asks_about_renouncing_only_those_who_keep_benefits(live_server, phone, registration):
    for name in ["claims_dispenses", "keeps_grade_benefits", "renounces_benefits", "has_positioning_decision", "has_internship_derogation"]:
        setattr(registration, name, None)  # a registration that has not reached step 4 yet
    registration.save()
    log_in(phone, live_server, "camille@exemple.fr", PASSWORD)
    phone.goto(step_url(live_server, registration, "dispenses"))
    expect(phone.get_by_role("radio", checked=True)).to_have_count(0)  # no « Non » given for the candidate
    expect(phone.get_by_role("group", name=RENOUNCES)).to_be_hidden()
    phone.get_by_role("group", name=KEEPS).get_by_text("Oui", exact=True).click()
    expect(phone.get_by_role("group", name=RENOUNCES)).to_be_visible()
    phone.get_by_role("group", name=RENOUNCES).get_by_text("Oui", exact=True).click()
    phone.get_by_role("group", name=KEEPS).get_by_text("Non", exact=True).click()  # changes their mind
    expect(phone.get_by_role("group", name=RENOUNCES)).to_be_hidden()

    phone.get_by_role("button", name="Enregistrer et continuer").click()
    for question in ["Demandez-vous des dispenses d'épreuves ?", "Avez-vous fait l'objet d'une décision de positionnement ?",
                     "Bénéficiez-vous d'une dérogation à la durée des stages ?"]:
        expect(phone.get_by_role("group", name=question)).to_contain_text("Répondez « Oui » ou « Non ».")
    expect(phone.get_by_text("Vous ne pouvez renoncer")).to_have_count(0)  # the hidden « Oui » was not sent
    shot(phone, "benefits-unanswered")


def test_renouncing_benefits_one_does_not_keep_is_refused_next_to_the_question(live_server, phone_without_javascript,
                                                                               registration):
    """Without JavaScript both questions show, so the contradiction can be sent: it is refused."""
    page = phone_without_javascript
    log_in(page, live_server, "camille@exemple.fr", PASSWORD)
    page.goto(step_url(live_server, registration, "dispenses"))
    page.get_by_role("group", name=KEEPS).get_by_text("Non", exact=True).click()
    page.get_by_role("group", name=RENOUNCES).get_by_text("Oui", exact=True).click()
    page.get_by_role("button", name="Enregistrer et continuer").click()
    message = page.locator("#id_renounces_benefits-desc-error")
    expect(message).to_contain_text("Vous ne pouvez renoncer qu'à des bénéfices de notes que vous conservez")
    expect(page.locator("#radio-id_renounces_benefits")).to_contain_text("Vous ne pouvez renoncer")
    shot(page, "benefits-contradiction")


def test_the_dashboard_links_a_missing_answer_to_its_step(live_server, phone, registration):
    registration.handicap = None
    registration.save()
    log_in(phone, live_server, "camille@exemple.fr", PASSWORD)
    phone.goto(f"{live_server.url}/inscription/{registration.pk}/")
    link = phone.get_by_role("link", name="Handicap : demandez-vous un aménagement des épreuves ?")
    expect(link).to_be_visible()
    shot(phone, "dashboard-missing-answer")
    link.click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Aménagement d'épreuves")
    phone.get_by_role("button", name="Enregistrer et continuer").click()
    expect(phone.locator("#id_handicap-desc-error")).to_have_text("Répondez « Oui » ou « Non ».")
    expect(phone.get_by_label("Reconduction à l'identique d'un aménagement obtenu à la session précédente")).to_be_hidden()
    phone.get_by_role("group", name="Handicap : demandez-vous un aménagement des épreuves ?").get_by_text("Oui", exact=True).click()
    expect(phone.get_by_text("Nouvelle demande d'aménagement")).to_be_visible()
    shot(phone, "accommodation")


def test_without_javascript_every_question_shows_and_the_server_keeps_only_what_applies(live_server, browser, registration):
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_server, "camille@exemple.fr", PASSWORD)
        page.goto(step_url(live_server, registration, "preparation"))
        expect(page.get_by_label("Heures de formation en CFA")).to_be_visible()
        expect(page.get_by_label("Durée de votre activité professionnelle effective (mois)")).to_be_visible()
        page.get_by_label("Durée de votre activité professionnelle effective (mois)").fill("30")
        page.get_by_role("button", name="Enregistrer et continuer").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Spécialité et épreuves")
    finally:
        context.close()
    registration.refresh_from_db()
    assert registration.pathway == "scolaire" and registration.experience_months is None


def test_the_handicap_step_says_how_to_renew_or_request_an_accommodation(live_server, phone, registration, settings):
    log_in(phone, live_server, "camille@exemple.fr", PASSWORD)
    phone.goto(step_url(live_server, registration, "amenagement"))
    how = phone.locator("#accommodation-how")
    expect(how.get_by_role("heading", name="Comment obtenir l'aménagement")).to_be_visible()
    expect(how.get_by_role("link", name=settings.ACCOMMODATION_EMAIL)).to_have_attribute(
        "href", re.compile(r"^mailto:" + re.escape(settings.ACCOMMODATION_EMAIL)))
    expect(how).to_contain_text(french("« demande de reconduction à l'identique »"))
    expect(how.get_by_role("link", name=re.compile("la page des aménagements d'épreuves du BTS"))).to_have_attribute(
        "href", settings.ACCOMMODATION_REQUESTS_URL)
    shot(phone, "accommodation-how")


def test_an_employee_declares_a_year_of_experience_or_is_told_why_not(live_server, phone, registration):
    log_in(phone, live_server, "camille@exemple.fr", PASSWORD)
    phone.goto(step_url(live_server, registration, "situation"))
    months = phone.get_by_label("Durée d'expérience professionnelle salariée (mois)")
    expect(months).to_be_hidden()  # the registration's category is « Déjà inscrit(e)… »
    phone.get_by_text("Salarié(e) justifiant d'au moins un an d'expérience professionnelle", exact=True).click()
    expect(months).to_be_visible()
    months.fill("10")
    phone.get_by_role("button", name="Enregistrer et continuer").click()
    expect(phone.locator("#id_employment_months-desc-error")).to_contain_text("vous avez indiqué 10 mois")
    shot(phone, "employee-months")
    phone.get_by_label("Durée d'expérience professionnelle salariée (mois)").fill("14")
    phone.get_by_role("button", name="Enregistrer et continuer").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Votre préparation")
    registration.refresh_from_db()
    assert (registration.category, registration.employment_months) == ("employee", 14)
