"""Every candidate page passes axe-core with no serious or critical violation."""

import json

import pytest

from tests.browser.helpers import PASSWORD, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def test_every_candidate_page_passes_axe(live_server, a11y_page, journey_registration):
    registration = journey_registration
    page = a11y_page
    anonymous = ["/", "/compte/connexion/", "/compte/creer/", "/compte/activer/renvoyer/", "/compte/mot-de-passe/oublie/",
                 "/accessibilite/", "/mentions-legales/", "/donnees-personnelles/", "/verifier/AAAAA-AAAAA"]
    candidate = ["/compte/", "/compte/mes-donnees/", "/compte/messages/", "/compte/adresse-electronique/", "/compte/mot-de-passe/",
                 f"/inscription/{registration.pk}/", *[f"/inscription/{registration.pk}/etape/{step}/" for step in
                 ("situation", "preparation", "specialite", "dispenses", "amenagement")],
                 f"/inscription/{registration.pk}/documents/", f"/inscription/{registration.pk}/justificatifs/",
                 f"/inscription/{registration.pk}/valider/", f"/inscription/{registration.pk}/resultats/",
                 "/inscription/convocations/"]
    failures = {}
    for path in anonymous:
        page.goto(live_server.url + path)
        if found := serious_violations(page):
            failures[path] = found
    page.goto(live_server.url + "/compte/connexion/")
    page.get_by_label("Adresse électronique").fill("camille@exemple.fr")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    for path in candidate:
        page.goto(live_server.url + path)
        if found := serious_violations(page):
            failures[path] = found
    assert failures == {}, json.dumps(failures, indent=1, ensure_ascii=False)


def test_the_check_does_catch_a_serious_violation(a11y_page):
    a11y_page.set_content('<html lang="fr"><body><main><img src="x.png"><button></button></main></body></html>')
    assert {"image-alt", "button-name"} <= {v["id"] for v in serious_violations(a11y_page)}
