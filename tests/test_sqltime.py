"""Time arithmetic in SQL reads the same on both engines, inside larger expressions too."""

from datetime import time

import pytest
import sqlalchemy as sa

from cfa.extensions import db
from cfa.sqltime import minutes_of


@pytest.mark.parametrize(
    ("start", "end", "minutes"),
    [(time(9), time(12, 30), 210), (time(13, 30), time(17), 210), (time(8, 45), time(9), 15)],
)
def test_minutes_of_a_half_day_stay_whole_inside_a_product_and_a_difference(start, end, minutes):
    span = minutes_of(sa.literal(start, sa.Time), sa.literal(end, sa.Time))
    assert db.session.execute(sa.select(span, span * 2, 1000 - span)).one() == (minutes, 2 * minutes, 1000 - minutes)
