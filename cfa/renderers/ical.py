"""iCalendar (RFC 5545) feeds: events in, bytes out.

The output depends only on the events: DTSTAMP is each event's last change, events are sorted by UID, and
the time zone is written as a rule rather than as a list of transitions. The same calendar therefore always
gives the same bytes; the feed's ETag, though, is read before rendering (services/feeds.py), so that an unchanged
feed costs no rendering at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vRecur

from cfa.formatting import PARIS

if TYPE_CHECKING:
    from cfa.services.feeds import FeedEvent

PRODID = "-//Cadence//Gestion du CFA//FR"


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def _transition(kind, name: str, start: datetime, before: int, after: int, month: int):
    """One yearly switch of the EU rule: on the last Sunday of `month`, from UTC+`before` to UTC+`after`."""
    part = kind()
    part.add("tzname", name)
    part.add("dtstart", start)
    part.add("tzoffsetfrom", timedelta(hours=before))
    part.add("tzoffsetto", timedelta(hours=after))
    part.add("rrule", vRecur(freq="YEARLY", bymonth=month, byday="-1SU"))
    return part


def paris_timezone() -> Timezone:
    """Europe/Paris as the EU rule in force since 1996: summer time from the last Sunday of March to the
    last Sunday of October.

    Written by hand on purpose. icalendar 7 can generate the zone (`Timezone.from_tzid`,
    `add_missing_timezones`), but as a list of dated transitions that ends in 2038, seven times longer, with
    onsets an independent parser (vobject) reads as winter time all summer: a 9:00 session in September
    would show at 10:00. The rule here is what Outlook and Apple Calendar themselves publish, and
    `tests/renderers/test_ical.py` checks it against the tz database around every switch until 2045."""
    zone = Timezone()
    zone.add("tzid", "Europe/Paris")
    zone.add("x-lic-location", "Europe/Paris")
    zone.add_component(_transition(TimezoneStandard, "CET", datetime(1970, 10, 25, 3, 0), 2, 1, 10))
    zone.add_component(_transition(TimezoneDaylight, "CEST", datetime(1970, 3, 29, 2, 0), 1, 2, 3))
    return zone


def render(name: str, events: Iterable[FeedEvent]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Paris")
    # Calendar apps poll at their own pace; this is a hint for those that honour it.
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    calendar.add_component(paris_timezone())
    for item in sorted(events, key=lambda e: e.uid):
        calendar.add_component(_event(item))
    return calendar.to_ical()


def _event(item: FeedEvent) -> Event:
    event = Event()
    event.add("uid", item.uid)
    stamp = _utc(item.last_modified)
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("sequence", item.sequence)
    event.add("summary", item.summary)
    if item.all_day:
        event.add("dtstart", item.start)
        event.add("dtend", item.end)
        event.add("transp", "TRANSPARENT")
    else:
        event.add("dtstart", item.start.replace(tzinfo=PARIS))
        event.add("dtend", item.end.replace(tzinfo=PARIS))
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    if item.location:
        event.add("location", item.location)
    if item.description:
        event.add("description", item.description)
    if item.categories:
        event.add("categories", list(item.categories))
    return event
