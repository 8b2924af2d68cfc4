"""What an admin must accept on purpose before a session is moved or added by hand.

Calendar generation never puts a session on a weekend, a public holiday, a closure or a field week, in a room of
another centre, outside the centre's day or beyond the programme's hours; a hand edit can. Each of these
is a warning (like a double booking), never silently saved: a session on Christmas Day or in Nantes for a
Rennes cohort is a sign-in sheet no auditor will believe.

`check_session(slot, context)` is pure: it takes dates and numbers and returns the warnings, so the rule table
is tested without a database; `slot_warnings` gathers that context for one cohort from the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time

from cfa.extensions import db
from cfa.formatting import long_date, minutes_label
from cfa.models import Cohort, PeriodKind, Room, Session
from cfa.models.planning import minutes_between
from cfa.services.calendar_generation import french_holidays
from cfa.services.calendar_queries import centre_closures, planned_minutes


@dataclass(frozen=True)
class Span:
    start: date
    end: date
    label: str | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class SlotContext:
    """What the cohort's calendar says around a session being placed by hand."""

    centre_id: int
    centre_name: str
    day_start: time  # the centre's day: the programme's morning start and afternoon end
    day_end: time
    total_minutes: int  # the programme's hours
    other_minutes: int  # minutes of the cohort's other live sessions
    holidays: Mapping[date, str]
    closures: tuple[Span, ...] = ()
    field_weeks: tuple[Span, ...] = ()
    course_weeks: tuple[Span, ...] = ()  # a field run that overlaps a course week is not a field day


@dataclass(frozen=True)
class Slot:
    day: date
    start_time: time
    end_time: time
    room_centre_id: int | None = None
    room_centre_name: str | None = None


@dataclass(frozen=True)
class Warning:
    kind: str  # weekend, holiday, closure, field_week, other_centre, outside_day, over_hours
    message: str


KINDS = ("weekend", "holiday", "closure", "field_week", "other_centre", "outside_day", "over_hours")


def check_session(slot: Slot, context: SlotContext) -> list[Warning]:
    """Every reason the session should not be there, as French sentences, in a stable order."""
    warnings: list[Warning] = []
    day = slot.day
    if day.isoweekday() >= 6:
        warnings.append(Warning("weekend", f"Le {long_date(day)} est un week-end."))
    if day in context.holidays:
        warnings.append(Warning("holiday", f"Le {long_date(day)} est un jour férié ({context.holidays[day]})."))
    closure = next((c for c in context.closures if c.covers(day)), None)
    if closure is not None:
        warnings.append(
            Warning("closure", f"Le centre {context.centre_name} est fermé le {long_date(day)} ({closure.label}).")
        )
    in_course = any(w.covers(day) for w in context.course_weeks)
    if not in_course and any(w.covers(day) for w in context.field_weeks):
        warnings.append(
            Warning("field_week", f"Le {long_date(day)} tombe dans une semaine en entreprise de la promotion.")
        )
    if slot.room_centre_id is not None and slot.room_centre_id != context.centre_id:
        warnings.append(
            Warning(
                "other_centre",
                f"La salle choisie est au centre {slot.room_centre_name}, pas au centre {context.centre_name} "
                "de la promotion.",
            )
        )
    if slot.start_time < context.day_start or slot.end_time > context.day_end:
        warnings.append(
            Warning(
                "outside_day",
                f"{slot.start_time:%H:%M}-{slot.end_time:%H:%M} déborde de la journée du centre "
                f"({context.day_start:%H:%M}-{context.day_end:%H:%M}).",
            )
        )
    total = context.other_minutes + minutes_between(slot.start_time, slot.end_time)
    if total > context.total_minutes:
        warnings.append(
            Warning(
                "over_hours",
                f"Avec cette séance, la promotion aurait {minutes_label(total)} de formation pour "
                f"{minutes_label(context.total_minutes)} au programme ({minutes_label(total - context.total_minutes)} de trop).",
            )
        )
    return warnings


def slot_warnings(
    cohort: Cohort,
    day: date,
    start_time: time,
    end_time: time,
    room_id: int | None,
    session: Session | None = None,
) -> list[Warning]:
    """The warnings of placing one session of the cohort there (`session`: the one being moved, if any)."""
    programme = cohort.programme
    room = db.session.get(Room, room_id) if room_id else None
    others = planned_minutes(cohort.id) - (session.minutes if session is not None and not session.is_cancelled else 0)
    periods = cohort.periods
    context = SlotContext(
        centre_id=cohort.centre_id,
        centre_name=cohort.centre.name,
        day_start=programme.morning_start,
        day_end=programme.afternoon_end,
        total_minutes=programme.total_minutes,
        other_minutes=others,
        holidays=french_holidays(day, day),
        closures=tuple(Span(c.start_date, c.end_date, c.label) for c in centre_closures(cohort.centre_id, day, day)),
        field_weeks=tuple(Span(p.start_date, p.end_date) for p in periods if p.kind == PeriodKind.FIELD),
        course_weeks=tuple(Span(p.start_date, p.end_date) for p in periods if p.kind == PeriodKind.COURSE),
    )
    slot = Slot(day, start_time, end_time, room.centre_id if room else None, room.centre.name if room else None)
    return check_session(slot, context)
