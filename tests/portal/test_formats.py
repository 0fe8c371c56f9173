from datetime import timedelta

import pytest

from common.formats import format_time_left


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=59), "moins d'une minute"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(minutes=59), "59 minutes"),
        (timedelta(hours=1), "1 heure"),
        (timedelta(hours=2, minutes=1), "2 heures et 1 minute"),
        (timedelta(days=1), "1 jour"),
        (timedelta(days=1, hours=1, minutes=30), "1 jour et 1 heure"),
        (timedelta(days=28, hours=4, minutes=59), "28 jours et 4 heures"),
    ],
)
def test_time_left_says_the_two_largest_units_in_french(delta, text):
    assert format_time_left(delta) == text


def test_the_date_and_time_format_is_written_once():
    """« 15 novembre 2023 à 17h00 » comes from DATETIME_FORMAT (portal/locale_formats/fr): no
    template or module spells the format out again."""
    from pathlib import Path

    from django.utils import timezone
    from django.utils.formats import date_format

    root = Path(__file__).resolve().parents[2]
    spelled = [str(path.relative_to(root)) for folder in ("candidates", "exams", "documents", "portal", "templates")
               for path in (root / folder).rglob("*") if path.suffix in (".py", ".html", ".txt")
               and "migrations" not in path.parts and "locale_formats" not in path.parts
               and '"j F Y à H' in path.read_text(encoding="utf-8")]
    assert spelled == []
    moment = timezone.make_aware(timezone.datetime(2023, 11, 15, 17, 0))
    assert date_format(timezone.localtime(moment), "DATETIME_FORMAT") == "15 novembre 2023 à 17h00"
