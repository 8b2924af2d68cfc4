"""The iCalendar renderer: a reviewed snapshot, and a parse-back by an independent parser."""

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import vobject
from icalendar import Calendar

from cfa.formatting import PARIS
from cfa.renderers.ical import render
from cfa.services.feeds import FeedEvent

SNAPSHOT = Path(__file__).parent.parent / "snapshots" / "small.ics"

EVENTS = [
    FeedEvent(
        uid="session-2@cadence.test",
        summary="Annulé : Gestion de conflit",
        start=datetime(2026, 10, 26, 13, 30),  # the day after the switch to winter time
        end=datetime(2026, 10, 26, 17, 0),
        last_modified=datetime(2026, 10, 20, 8, 15, tzinfo=UTC),
        sequence=2,
        cancelled=True,
        location="Salle Bréhat, Rennes",
        description="Promotion : MSADS Rennes 2026-2027\nAnnulée : formatrice absente",
    ),
    FeedEvent(
        uid="session-1@cadence.test",
        summary="Posture du médiateur",
        start=datetime(2026, 9, 14, 9, 0),
        end=datetime(2026, 9, 14, 12, 30),
        last_modified=datetime(2026, 9, 1, 7, 0, tzinfo=UTC),
        location="Salle Bréhat, Rennes",
        description="Promotion : MSADS Rennes 2026-2027\nFormateur·rice : Samia Benali",
        categories=("Formation",),
    ),
    FeedEvent(
        uid="entreprise-7-20260921@cadence.test",
        summary="En entreprise (Archipel Habitat)",
        start=date(2026, 9, 21),
        end=date(2026, 10, 12),
        last_modified=datetime(2026, 9, 1, 7, 0),
    ),
]


def test_a_small_calendar_matches_its_reviewed_snapshot():
    body = render("Cadence – Inès Marchand", EVENTS)
    if os.environ.get("UPDATE_SNAPSHOTS"):  # then review the file by eye before committing it
        SNAPSHOT.write_bytes(body)
    assert body == SNAPSHOT.read_bytes()


def test_the_same_events_in_another_order_give_the_same_bytes():
    assert render("x", EVENTS) == render("x", list(reversed(EVENTS)))


def test_an_independent_parser_reads_back_the_same_events():
    parsed = vobject.readOne(render("Cadence – Inès Marchand", EVENTS).decode())
    assert parsed.x_wr_calname.value == "Cadence – Inès Marchand"
    assert parsed.vtimezone.tzid.value == "Europe/Paris"
    events = {e.uid.value: e for e in parsed.vevent_list}
    assert set(events) == {e.uid for e in EVENTS}
    course = events["session-1@cadence.test"]
    # 9:00 in Paris in September is 7:00 UTC (summer time); 13:30 on 26 October is 12:30 UTC (winter time).
    assert course.dtstart.value.astimezone(UTC) == datetime(2026, 9, 14, 7, 0, tzinfo=UTC)
    assert events["session-2@cadence.test"].dtstart.value.astimezone(UTC) == datetime(2026, 10, 26, 12, 30, tzinfo=UTC)
    assert events["session-2@cadence.test"].status.value == "CANCELLED"
    assert events["session-2@cadence.test"].sequence.value == "2"
    assert course.status.value == "CONFIRMED"
    field = events["entreprise-7-20260921@cadence.test"]
    assert field.dtstart.value == date(2026, 9, 21) and field.dtend.value == date(2026, 10, 12)
    assert all(e.dtstamp.value.tzinfo is not None for e in parsed.vevent_list)


def _paris_read_back(parser: str):
    body = render("x", EVENTS)
    if parser == "vobject":
        return vobject.readOne(body.decode()).vtimezone.gettzinfo()
    return Calendar.from_ical(body).walk("VTIMEZONE")[0].to_tz()


@pytest.mark.parametrize("parser", ["vobject", "icalendar"])
def test_the_written_time_zone_agrees_with_europe_paris_around_every_switch_until_2045(parser):
    """Calendar apps convert with the VTIMEZONE of the feed, not their own tables. icalendar's generated zone
    (`Timezone.from_tzid`) is read by vobject as winter time all summer, a September morning an hour late:
    the rule written here is kept because both parsers read it right, switch hours included."""
    zone = _paris_read_back(parser)
    wrong = []
    for year in range(2026, 2046):
        for month in (3, 10):
            start = datetime(year, month, 24, tzinfo=UTC)  # the last Sunday falls within the next eight days
            for step in range(8 * 48):
                wall = (start + timedelta(minutes=30 * step)).astimezone(PARIS)
                if wall.replace(tzinfo=zone).utcoffset() != wall.utcoffset():
                    wrong.append(wall)
    assert wrong == []
