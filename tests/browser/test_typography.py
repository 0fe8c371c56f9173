"""French typography on every page of the journey, as the browser draws it: no breaking space
after « or before » : ; ! ? (common/typography.py, applied to every HTML page)."""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from documents.requirements import requirements_copy
from exams.models import ExamSession, Specialty
from tests.browser.helpers import log_in
from tests.factories import ExamSessionFactory, RegistrationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "une phrase de passe solide"
BREAKING = re.compile(r"«[ \t\n]|[ \t\n][»:;!?](?![\w/])")
# The page's text as drawn: every text node outside scripts and styles, in order.
PAGE_TEXT = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {acceptNode: node =>
    ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(node.parentElement.tagName) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
  let text = '';
  while (walker.nextNode()) text += walker.currentNode.nodeValue;
  return text;
}"""


def faults(page):
    text = page.evaluate(PAGE_TEXT)
    return [text[max(match.start() - 30, 0):match.end() + 10] for match in BREAKING.finditer(text)]


def test_no_page_of_the_candidates_journey_breaks_a_line_before_a_french_sign(live_server, page):
    now = timezone.now()
    session = ExamSessionFactory(year=2125, registration_opens_at=now - timedelta(days=1), registration_closes_at=now + timedelta(days=9))
    requirements_copy(from_session=ExamSession.objects.get(year=2024), to_session=session)
    user = UserFactory(email="camille@exemple.fr", password=PASSWORD)
    ms = Specialty.objects.get(code="MS")
    registration = RegistrationFactory(candidate=user, session=session, number="2125-000001", specialty=ms,
                                       option=ms.options.get(code="B"))
    found = {}
    for path in ["/", "/compte/connexion/", "/compte/creer/", "/compte/mot-de-passe/oublie/", "/accessibilite/"]:
        page.goto(live_server.url + path)
        if fault := faults(page):
            found[path] = fault
    log_in(page, live_server, "camille@exemple.fr", PASSWORD)
    for path in ["/compte/", "/compte/messages/", "/compte/mes-donnees/", f"/inscription/{registration.pk}/",
                 *[f"/inscription/{registration.pk}/etape/{step}/" for step in ("situation", "preparation", "specialite")],
                 f"/inscription/{registration.pk}/documents/", f"/inscription/{registration.pk}/justificatifs/",
                 f"/inscription/{registration.pk}/valider/"]:
        page.goto(live_server.url + path)
        if fault := faults(page):
            found[path] = fault
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)


def test_the_check_does_catch_a_breaking_space(page):
    page.set_content('<html lang="fr"><body><p>Date limite : demain, « vite » ; merci !</p></body></html>')
    assert len(faults(page)) == 5  # « : », « « », « » », « ; », « ! »
