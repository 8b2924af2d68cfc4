"""Calendar generation: a cohort's rhythm turned into dated weeks and half-day sessions.

Pure: dates and numbers in, a `Plan` out; nothing here reads or writes the database, so the same
request always gives the same calendar and property tests can run thousands of them.

The rules, in the order they apply to each week from the contract's start:
- the rhythm opens with `first_block_weeks` at the centre, then repeats `field_weeks` in the field
  and `course_weeks` at the centre;
- a week whose centre days are all inside a closure period (or all public holidays) is a closure week: a course week due
  then moves to the first open week, and the rhythm continues from there; a closure in the field
  phase counts as a field week (the apprentice is with the employer or on leave);
- public holidays and the closed days of a partly closed week remove those days only;
- an admin may add a course week (`added_weeks`) or take one out (`removed_weeks`): a removed
  week still counts in the rhythm, so its hours are planned later, at the end;
- a half-day an admin emptied by hand (a session moved away or cancelled) stays empty (`blocked`);
- sessions stop when the programme's hours are reached exactly, the last one shortened; if the
  contract ends first, the plan says how many minutes are missing (`missing_minutes`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache

import holidays as holidays_lib

from cfa.models.planning import HalfDay, PeriodKind, minutes_between

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Rhythm:
    course_weeks: int = 1
    field_weeks: int = 3
    first_block_weeks: int = 1
    centre_days: tuple[int, ...] = (1, 2, 3, 4, 5)  # ISO weekdays
    morning: tuple[time, time] = (time(9, 0), time(12, 30))
    afternoon: tuple[time, time] = (time(13, 30), time(17, 0))

    @classmethod
    def of(cls, programme) -> Rhythm:
        return cls(
            course_weeks=programme.course_weeks,
            field_weeks=programme.field_weeks,
            first_block_weeks=programme.first_block_weeks,
            centre_days=tuple(sorted({int(d) for d in programme.centre_days})),
            morning=(programme.morning_start, programme.morning_end),
            afternoon=(programme.afternoon_start, programme.afternoon_end),
        )

    def slots(self) -> tuple[tuple[HalfDay, time, time], ...]:
        return ((HalfDay.AM, *self.morning), (HalfDay.PM, *self.afternoon))


@dataclass(frozen=True)
class Closure:
    start: date
    end: date
    label: str

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class ModuleBudget:
    module_id: int | None
    minutes: int
    trainer_id: int | None = None
    room_id: int | None = None


@dataclass(frozen=True)
class FixedSession:
    """A session calendar generation must not touch: in the past, or already holding attendance marks."""

    date: date
    half_day: HalfDay
    minutes: int


@dataclass(frozen=True)
class PlanRequest:
    start: date
    end: date  # the contract's end: nothing is planned after it
    total_minutes: int
    rhythm: Rhythm = Rhythm()
    closures: tuple[Closure, ...] = ()
    modules: tuple[ModuleBudget, ...] = ()
    added_weeks: frozenset[date] = frozenset()  # Mondays
    removed_weeks: frozenset[date] = frozenset()
    fixed: tuple[FixedSession, ...] = ()
    blocked: frozenset[tuple[date, HalfDay]] = frozenset()  # half-days an admin emptied: never refilled
    from_date: date | None = None  # re-planning: no session is created before this day
    default_room_id: int | None = None
    holidays: Mapping[date, str] | None = None  # None: French public holidays (metropolitan France)


@dataclass(frozen=True)
class PlannedSession:
    date: date
    half_day: HalfDay
    start_time: time
    end_time: time
    module_id: int | None = None
    trainer_id: int | None = None
    room_id: int | None = None

    @property
    def minutes(self) -> int:
        return minutes_between(self.start_time, self.end_time)

    @property
    def slot(self) -> tuple[date, HalfDay]:
        return (self.date, self.half_day)


@dataclass(frozen=True)
class PlannedWeek:
    monday: date
    kind: PeriodKind
    label: str | None = None
    minutes: int = 0  # minutes planned at the centre that week
    manual: bool = False  # added or removed by an admin


@dataclass(frozen=True)
class Move:
    """A course week pushed back by a closure."""

    planned: date  # Monday it was due
    held: date  # Monday it takes place
    reason: str


@dataclass
class Plan:
    request: PlanRequest
    weeks: list[PlannedWeek] = field(default_factory=list)
    sessions: list[PlannedSession] = field(default_factory=list)
    holidays: list[tuple[date, str]] = field(default_factory=list)  # weekday holidays within the contract
    moves: list[Move] = field(default_factory=list)
    fixed_minutes: int = 0

    @property
    def planned_minutes(self) -> int:
        return self.fixed_minutes + sum(s.minutes for s in self.sessions)

    @property
    def missing_minutes(self) -> int:
        return max(0, self.request.total_minutes - self.planned_minutes)

    @property
    def course_weeks(self) -> list[PlannedWeek]:
        return [w for w in self.weeks if w.kind == PeriodKind.COURSE]

    @property
    def first_day(self) -> date | None:
        return self.sessions[0].date if self.sessions else None

    @property
    def last_day(self) -> date | None:
        return self.sessions[-1].date if self.sessions else None


def _add_minutes(start: time, minutes: int) -> time:
    moment = datetime.combine(date(2000, 1, 1), start) + timedelta(minutes=minutes)
    return moment.time()


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@cache
def _french_holidays(years: tuple[int, ...]) -> dict[date, str]:
    return dict(holidays_lib.country_holidays("FR", years=years, language="fr"))


def french_holidays(start: date, end: date) -> dict[date, str]:
    """Public holidays of metropolitan France between two dates (Alsace-Moselle's extra days excluded)."""
    table = _french_holidays(tuple(range(start.year, end.year + 1)))
    return {day: name for day, name in table.items() if start <= day <= end}


class _Rhythm:
    """Where the alternance stands: how many course or field weeks are left in the current block."""

    def __init__(self, rhythm: Rhythm):
        self.rhythm = rhythm
        self.at_centre = True
        self.left = rhythm.first_block_weeks

    def advance(self) -> None:
        self.left -= 1
        while self.left <= 0:
            self.at_centre = not self.at_centre
            self.left = self.rhythm.course_weeks if self.at_centre else self.rhythm.field_weeks


class _Modules:
    """Modules laid end to end on the programme's timeline; a session takes the module at its middle,
    so that a module spans sessions and weeks and no budget is rounded to whole half-days."""

    def __init__(self, budgets: Iterable[ModuleBudget]):
        self.bounds: list[tuple[int, ModuleBudget]] = []
        elapsed = 0
        for budget in budgets:
            elapsed += budget.minutes
            self.bounds.append((elapsed, budget))

    def at(self, middle: float) -> ModuleBudget:
        for end, budget in self.bounds:
            if middle < end:
                return budget
        # Budgets shorter than the programme: the last module takes the rest.
        return self.bounds[-1][1] if self.bounds else ModuleBudget(None, 0)


def plan(request: PlanRequest) -> Plan:
    """The calendar of a request: each week from the contract's start, in order, is closed, at the centre or
    in the field (see the module's rules)."""
    generation = _Generation(request)
    monday = monday_of(request.start)
    while monday <= request.end:
        generation.plan_week(monday)
        monday += WEEK
    return generation.result


def _days_off(request: PlanRequest) -> Mapping[date, str]:
    return request.holidays if request.holidays is not None else french_holidays(request.start, request.end)


def _weekday_holidays(request: PlanRequest, days_off: Mapping[date, str]) -> list[tuple[date, str]]:
    return sorted(
        (day, name) for day, name in days_off.items() if request.start <= day <= request.end and day.isoweekday() <= 5
    )


def _minutes_by_week(fixed: Iterable[FixedSession]) -> dict[date, int]:
    totals: dict[date, int] = {}
    for session in fixed:
        totals[monday_of(session.date)] = totals.get(monday_of(session.date), 0) + session.minutes
    return totals


def _centre_days(request: PlanRequest, monday: date) -> list[date]:
    """The week's centre days within the contract."""
    days = (monday + timedelta(days=iso - 1) for iso in request.rhythm.centre_days)
    return [day for day in days if request.start <= day <= request.end]


def _closures_by_day(request: PlanRequest, days: list[date]) -> dict[date, Closure]:
    return {day: c for day in days for c in request.closures if c.covers(day)}


class _Generation:
    """A plan being built week after week: what is left to plan, which module comes next, where the rhythm
    stands, and a course week a closure pushed back."""

    def __init__(self, request: PlanRequest):
        self.request = request
        self.days_off = _days_off(request)
        self.result = Plan(request=request, holidays=_weekday_holidays(request, self.days_off))
        self.result.fixed_minutes = sum(f.minutes for f in request.fixed)
        self.fixed_slots = {(f.date, f.half_day) for f in request.fixed}
        self.fixed_by_week = _minutes_by_week(request.fixed)
        self.first_new_day = max(request.start, request.from_date or request.start)
        self.remaining = request.total_minutes - self.result.fixed_minutes
        self.elapsed = self.result.fixed_minutes
        self.modules = _Modules(request.modules)
        self.rhythm = _Rhythm(request.rhythm)
        self.deferred: tuple[date, str] | None = None  # a course week pushed back by a closure, and why

    def plan_week(self, monday: date) -> None:
        days = _centre_days(self.request, monday)
        if not days:  # the contract starts on a weekend: the rhythm starts the next week
            return
        closures = _closures_by_day(self.request, days)
        if all(day in closures or day in self.days_off for day in days):
            self._closed_week(monday, days, closures)
            return
        due = self.rhythm.at_centre and self.remaining > 0
        added = monday in self.request.added_weeks and self.remaining > 0
        removed = monday in self.request.removed_weeks
        if (due or added) and not removed:
            self._course_week(monday, days, closures, due, added)
        else:
            self._field_week(monday, due, removed)
        self.rhythm.advance()

    def _closed_week(self, monday: date, days: list[date], closures: dict[date, Closure]) -> None:
        """Nothing open that week (a closure, or public holidays on every centre day): no course. A course week
        due then waits for the first open week; a field week still counts in the rhythm."""
        closed = next((closures[day] for day in days if day in closures), None)
        label = closed.label if closed else f"Jour férié : {self.days_off[days[0]]}"
        self.result.weeks.append(PlannedWeek(monday, PeriodKind.CLOSURE, label))
        if self.rhythm.at_centre and self.remaining > 0 and monday not in self.request.removed_weeks:
            self.deferred = self.deferred or (monday, label)
        else:
            self.rhythm.advance()

    def _course_week(
        self, monday: date, days: list[date], closures: dict[date, Closure], due: bool, added: bool
    ) -> None:
        minutes = self.fixed_by_week.get(monday, 0)
        for day in days:
            if day not in closures and day not in self.days_off and day >= self.first_new_day:
                minutes += self._fill_day(day)
        label = self._move_to(monday) if due else None
        self.result.weeks.append(PlannedWeek(monday, PeriodKind.COURSE, label, minutes, manual=added))

    def _fill_day(self, day: date) -> int:
        """The day's free half-days filled in order until the hours are reached; the minutes planned."""
        planned = 0
        for half_day, start, end in self.request.rhythm.slots():
            if self.remaining <= 0:
                break
            if (day, half_day) in self.fixed_slots or (day, half_day) in self.request.blocked:
                continue
            length = min(minutes_between(start, end), self.remaining)
            self.result.sessions.append(self._session(day, half_day, start, length))
            self.remaining -= length
            self.elapsed += length
            planned += length
        return planned

    def _session(self, day: date, half_day: HalfDay, start: time, length: int) -> PlannedSession:
        budget = self.modules.at(self.elapsed + length / 2)
        room_id = budget.room_id or self.request.default_room_id
        return PlannedSession(
            day, half_day, start, _add_minutes(start, length), budget.module_id, budget.trainer_id, room_id
        )

    def _move_to(self, monday: date) -> str | None:
        """The course week a closure pushed back takes place this week: recorded, and said on the week."""
        if self.deferred is None:
            return None
        planned, reason = self.deferred
        self.result.moves.append(Move(planned, monday, reason))
        self.deferred = None
        return f"Reportée du {planned:%d/%m/%Y} ({reason})"

    def _field_week(self, monday: date, due: bool, removed: bool) -> None:
        label = "Semaine retirée du planning" if removed and due else None
        minutes = self.fixed_by_week.get(monday, 0)
        self.result.weeks.append(PlannedWeek(monday, PeriodKind.FIELD, label, minutes, manual=removed))
