"""French dates, durations and percentages read as a French reader expects, whatever the system locale."""

from datetime import UTC, date, datetime, time

import pytest

from cfa import formatting as fmt


@pytest.mark.parametrize(
    "function, value, expected",
    [
        (fmt.long_date, date(2026, 9, 7), "lundi 7 septembre 2026"),
        (fmt.long_date, date(2026, 9, 1), "mardi 1er septembre 2026"),
        (fmt.medium_date, date(2027, 1, 1), "1er janvier 2027"),
        (fmt.medium_date, date(2027, 8, 16), "16 août 2027"),
        (fmt.short_date, date(2026, 9, 7), "07/09/2026"),
        (fmt.month_year, date(2026, 12, 21), "décembre 2026"),
        (fmt.hhmm, time(9, 5), "9 h 05"),
        (fmt.date_time, datetime(2026, 7, 1, 7, 5, tzinfo=UTC), "01/07/2026 à 9 h 05"),  # summer time
        (fmt.date_time, datetime(2026, 12, 1, 7, 5, tzinfo=UTC), "01/12/2026 à 8 h 05"),
        (fmt.minutes_label, 441 * 60, "441 h"),
        (fmt.minutes_label, 355, "5 h 55"),
        (fmt.minutes_label, 45, "45 min"),
        (fmt.minutes_label, -90, "-1 h 30"),
        (fmt.percent, 0.934, "93\u202f%"),
        (fmt.percent, None, "–"),
    ],
)
def test_french_formats(function, value, expected):
    assert function(value) == expected


def test_percent_with_a_decimal_uses_the_french_comma():
    assert fmt.percent(0.9564, 1) == "95,6\u202f%"
