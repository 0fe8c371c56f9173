"""Every candidate page passes axe-core with no serious or critical violation."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from documents.services import requirements_copy
from exams.models import ExamSession, Specialty
from tests.factories import ExamSessionFactory, RegistrationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[1] / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "une phrase de passe solide"


@pytest.fixture
def a11y_page(browser):
    if not AXE.exists():
        pytest.skip(reason="axe-core is not installed: npm ci --prefix tests/a11y (.ci/run does it)")
    # axe is injected as a script: the page's own CSP would refuse it, so this context ignores it.
    context = browser.new_context(locale="fr-FR", bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


def serious_violations(page):
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:3]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_every_candidate_page_passes_axe(live_server, a11y_page):
    now = timezone.now()
    session = ExamSessionFactory(year=2125, registration_opens_at=now - timedelta(days=1), registration_closes_at=now + timedelta(days=9))
    requirements_copy(from_session=ExamSession.objects.get(year=2024), to_session=session)
    user = UserFactory(email="camille@exemple.fr", password=PASSWORD)
    ms = Specialty.objects.get(code="MS")
    registration = RegistrationFactory(candidate=user, session=session, number="2125-000001", specialty=ms,
                                       option=ms.options.get(code="B"))
    page = a11y_page
    anonymous = ["/", "/compte/connexion/", "/compte/creer/", "/compte/activer/renvoyer/", "/compte/mot-de-passe/oublie/",
                 "/accessibilite/", "/mentions-legales/", "/donnees-personnelles/"]
    candidate = ["/compte/", "/compte/mes-donnees/", "/compte/messages/", "/compte/adresse-electronique/", "/compte/mot-de-passe/",
                 f"/inscription/{registration.pk}/", *[f"/inscription/{registration.pk}/etape/{step}/" for step in
                 ("situation", "preparation", "specialite", "dispenses", "amenagement")],
                 f"/mes-documents/{registration.pk}/", f"/mes-documents/{registration.pk}/justificatifs/",
                 f"/mes-documents/{registration.pk}/valider/", f"/inscription/{registration.pk}/resultats/",
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
