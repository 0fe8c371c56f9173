"""French typography, applied once (common/typography.py) to pages, emails and PDFs."""

import pytest

from common.typography import NBSP, NNBSP, french_html, french_text


@pytest.mark.parametrize(("text", "expected"), [
    ("Date limite : 15 novembre", f"Date limite{NBSP}: 15 novembre"),
    ("la pièce « identité »", f"la pièce «{NNBSP}identité{NNBSP}»"),
    ("«identité»", f"«{NNBSP}identité{NNBSP}»"),
    ("illisible; périmée", f"illisible{NNBSP}; périmée"),
    ("illisible ; périmée", f"illisible{NNBSP}; périmée"),
    ("Mot de passe oublié ?", f"Mot de passe oublié{NNBSP}?"),
    ("C'est fait !", f"C'est fait{NNBSP}!"),
    ("le 1 décembre 2026", f"le 1er{NBSP}décembre 2026"),
    ("le 1er décembre", "le 1er décembre"),
    ("scan.pdf (19,5 Kio)", f"scan.pdf (19,5{NBSP}Ko)"),
    ("2,0 Mio", f"2,0{NBSP}Mo"),
    ("10 Mo au plus", f"10{NBSP}Mo au plus"),
    ("au moins 1350 heures de formation", f"au moins 1{NNBSP}350 heures de formation"),
    ("contrat de 2 ans, 1400 h", f"contrat de 2 ans, 1{NNBSP}400 h"),
    ("100000 inscriptions", f"100{NNBSP}000 inscriptions"),
    ("675 heures", "675 heures"),
])
def test_french_spacing_and_the_first_of_the_month(text, expected):
    assert french_text(text) == expected


@pytest.mark.parametrize("untouched", [
    "https://inscriptions.ac-normandie.fr/compte/", "à 10:30", "/compte/connexion/?next=/inscription/",
    "le 11 décembre", "le 21 décembre", "1,1 décembre", "Tom &amp; Jerry",
    "la session 2027 (démonstration)", "en 2022 les candidats", "14000 Caen", "BTS24-000001 heures", "2024-1350 heures",
])
def test_what_is_not_prose_is_left_as_it_is(untouched):
    assert french_text(untouched) == untouched


def test_in_html_only_the_text_changes():
    html = ('<p title="Nom : X" data-x="a ; b">Nom : <b>X</b> ; « y »</p>'
            '<script>var a = b ? c : d;</script><style>a:hover { color: red; }</style>'
            '<pre>code : ici</pre><a href="https://x.fr/?a=1">lien : ici</a><!-- note : ici -->')
    assert french_html(html) == (
        f'<p title="Nom : X" data-x="a ; b">Nom{NBSP}: <b>X</b>{NNBSP}; «{NNBSP}y{NNBSP}»</p>'
        '<script>var a = b ? c : d;</script><style>a:hover { color: red; }</style>'
        f'<pre>code : ici</pre><a href="https://x.fr/?a=1">lien{NBSP}: ici</a><!-- note : ici -->')


def test_applying_it_twice_changes_nothing_more():
    once = french_html("<p>« Pièces » : 2 ; le 1 mars !</p>")
    assert french_html(once) == once
