"""The alternance planner: a cohort's rhythm turned into dated weeks and half-day sessions.

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
    """A session the planner must not touch: in the past, or already holding attendance marks."""

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
    rhythm = request.rhythm
    days_off = request.holidays if request.holidays is not None else french_holidays(request.start, request.end)
    result = Plan(request=request)
    result.holidays = sorted(
        (day, name) for day, name in days_off.items() if request.start <= day <= request.end and day.isoweekday() <= 5
    )
    fixed_slots = {(f.date, f.half_day) for f in request.fixed}
    fixed_by_week: dict[date, int] = {}
    for f in request.fixed:
        fixed_by_week[monday_of(f.date)] = fixed_by_week.get(monday_of(f.date), 0) + f.minutes
    first_new_day = max(request.start, request.from_date or request.start)
    result.fixed_minutes = sum(f.minutes for f in request.fixed)
    remaining = request.total_minutes - result.fixed_minutes
    modules = _Modules(request.modules)
    elapsed = result.fixed_minutes
    state = _Rhythm(rhythm)
    deferred: tuple[date, str] | None = None  # a course week pushed back by a closure, and why

    monday = monday_of(request.start)
    while monday <= request.end:
        days = [
            monday + timedelta(days=iso - 1)
            for iso in rhythm.centre_days
            if request.start <= monday + timedelta(days=iso - 1) <= request.end
        ]
        if not days:  # the contract starts on a weekend: the rhythm starts the next week
            monday += WEEK
            continue
        closure_of = {day: c for day in days for c in request.closures if c.covers(day)}
        if all(day in closure_of or day in days_off for day in days):
            # Nothing open that week (a closure, or public holidays on every centre day): no course.
            closed = next((closure_of[day] for day in days if day in closure_of), None)
            label = closed.label if closed else f"Jour férié : {days_off[days[0]]}"
            result.weeks.append(PlannedWeek(monday, PeriodKind.CLOSURE, label))
            if state.at_centre and remaining > 0 and monday not in request.removed_weeks:
                deferred = deferred or (monday, label)
            else:
                state.advance()
            monday += WEEK
            continue

        due = state.at_centre and remaining > 0
        added = monday in request.added_weeks and remaining > 0
        removed = monday in request.removed_weeks
        if (due or added) and not removed:
            week_minutes = fixed_by_week.get(monday, 0)
            for day in days:
                if day in closure_of or day in days_off or day < first_new_day:
                    continue
                for half_day, start, end in rhythm.slots():
                    if remaining <= 0:
                        break
                    if (day, half_day) in fixed_slots or (day, half_day) in request.blocked:
                        continue
                    length = min(minutes_between(start, end), remaining)
                    budget = modules.at(elapsed + length / 2)
                    result.sessions.append(
                        PlannedSession(
                            day,
                            half_day,
                            start,
                            _add_minutes(start, length),
                            budget.module_id,
                            budget.trainer_id,
                            budget.room_id or request.default_room_id,
                        )
                    )
                    remaining -= length
                    elapsed += length
                    week_minutes += length
            label = None
            if due and deferred:
                result.moves.append(Move(deferred[0], monday, deferred[1]))
                label = f"Reportée du {deferred[0]:%d/%m/%Y} ({deferred[1]})"
                deferred = None
            result.weeks.append(PlannedWeek(monday, PeriodKind.COURSE, label, week_minutes, manual=added))
        else:
            label = "Semaine retirée du planning" if removed and due else None
            result.weeks.append(
                PlannedWeek(monday, PeriodKind.FIELD, label, fixed_by_week.get(monday, 0), manual=removed)
            )
        state.advance()
        monday += WEEK
    return result
