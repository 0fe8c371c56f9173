from datetime import timedelta

import pytest

from portal.formats import format_time_left


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
