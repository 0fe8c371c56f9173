"""French typography, applied once to whatever the portal shows or sends (pages, admin, emails,
PDFs), so that no template or translation has to get it right by hand.

- a no-break space inside « » and before : ; ! ? (a breaking space there lets the browser put
  the sign alone at the start of a line: « Pièces manquantes
  : 2 »); the space is narrow (U+202F) before ; ! ? and inside « », as the Imprimerie nationale
  writes it, and a full no-break space (U+00A0) before :;
- « 1er » for the first of a month (« 1er décembre », never « 1 décembre »);
- sizes in Ko, Mo, Go (Django's filesizeformat says « Kio », « Mio »), joined to their number;
- thousands grouped by a narrow no-break space in a quantity of a unit (« 1 350 heures »), never
  in a year, a registration number or a postal code, which are not followed by a unit.

Only text is touched: never a tag or its attributes, nor what is inside <script>, <style>,
<pre>, <code> or <textarea>, nor an entity (&amp;), nor a URL's « :// », nor a time (10:30).
"""

import functools
import re

NBSP = "\u00a0"
NNBSP = "\u202f"
MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
UNITS = "heures|h|euros|€|caractères|pages|candidats|candidates|inscriptions|pièces|fichiers"

_RAW = re.compile(r"(<(script|style|pre|code|textarea)\b.*?</\2\s*>|<!--.*?-->|<[^>]*>)", re.IGNORECASE | re.DOTALL)
_ENTITY = re.compile(r"(&#?\w+;)")
_RULES = [
    (re.compile(r"«[ \u00a0\u202f]*"), "«" + NNBSP),  # after «, whatever space was there, or none
    (re.compile(r"[ \u00a0\u202f]*»"), NNBSP + "»"),  # before »
    # « a; b », « a ; b »; after a tag (« <b>X</b> ; »), only a space that is there is replaced
    (re.compile(r"(?<=\S)[ \u00a0\u202f]*([;!?])(?![:/\w])"), NNBSP + r"\1"),
    (re.compile(r"^[ \u00a0\u202f]+([;!?])(?![:/\w])"), NNBSP + r"\1"),
    # « Date : », never « 10:30 » nor « https: »
    (re.compile(r"(?:(?<=\S)|^)[ \u00a0\u202f]+:(?!//)"), NBSP + ":"),
    (re.compile(rf"(?<![\d,.])1 ({MONTHS})\b"), "1er" + NBSP + r"\1"),
    # sizes in the units a French reader knows (Django writes « Kio », « Mio »), never cut from the number
    (re.compile(r"(\d)[ \u00a0]([KMG])i?o\b"), r"\1" + NBSP + r"\2o"),
    # « 1 350 heures », not « 1350 heures »: a quantity of a unit, never a year, a number or a code
    (re.compile(rf"(?<![\w.,/\-:])\d{{4,}}(?=[ \u00a0{NNBSP}](?:{UNITS})\b)"),
     lambda match: f"{int(match.group()):,}".replace(",", NNBSP)),
]


_TRIGGER = re.compile(r"[«»:;!?]|1 |\d[ \u00a0][KMG]i?o\b|\d{4}[ \u00a0\u202f]")  # a text without any of these has nothing to change


@functools.lru_cache(maxsize=8192)
def french_text(text):
    """`text` (plain, not HTML) with French typography. The text between a page's tags is mostly the
    same from one page to the next (menu, labels, footer): each is worked out once per process."""
    if not _TRIGGER.search(text):
        return text
    parts = _ENTITY.split(text)
    for index in range(0, len(parts), 2):  # odd parts are entities, left as they are
        for pattern, replacement in _RULES:
            parts[index] = pattern.sub(replacement, parts[index])
    return "".join(parts)


def french_html(html):
    """`html` with French typography in its text, tags and raw elements untouched."""
    parts = _RAW.split(html)
    out = []
    # re.split with two groups: text, whole match, inner group name, text, …
    for index in range(0, len(parts), 3):
        out.append(french_text(parts[index]))
        if index + 1 < len(parts):
            out.append(parts[index + 1])
    return "".join(out)
