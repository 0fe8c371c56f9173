"""Expected texts as the portal writes them: with French typography (common/typography.py), the
no-break spaces inside « » and before : ; ! ?, and « 1er » for the first of a month."""

from common.typography import french_html, french_text


def french(text):
    """`text` as a page, an email or a PDF of the portal shows it."""
    return french_text(text)


def french_markup(html):
    """An expected piece of HTML as the portal's pages draw it (tags untouched)."""
    return french_html(html)
