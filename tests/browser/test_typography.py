"""French typography on every page of the journey, as the browser draws it: no breaking space
after « or before » : ; ! ? (common/typography.py, applied to every HTML page)."""

import json
import re

import pytest

from tests.browser.helpers import PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BREAKING = re.compile(r"«[ \t\n]|[ \t\n][»:;!?](?![\w/])")
DOUBLED = re.compile(r"[?!][\s\u00a0\u202f]*[:;]")  # « Question ? : message »
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
    matches = [*BREAKING.finditer(text), *DOUBLED.finditer(text)]
    return [text[max(match.start() - 30, 0):match.end() + 10] for match in matches]


def test_no_page_of_the_candidates_journey_breaks_a_line_before_a_french_sign(live_server, page, journey_registration):
    registration = journey_registration
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
    page.set_content('<html lang="fr"><body><p>Date limite : demain, « vite » ; merci ! Prêt\u202f?\u00a0: oui</p></body></html>')
    assert len(faults(page)) == 6  # « : », « « », « » », « ; », « ! », « ? : »
