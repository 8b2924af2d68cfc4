"""The demo's dates: its finished year is the CFA's real past, its running year is placed around the day it is built.

Whatever the day `flask seed-demo` runs, the demo trainer has sheets to take on the demo's day (today, or the next
day the centre is open: after a weekend, a public holiday or a closure) and the demo apprentice is at the centre
that day. The running cohorts' start is chosen for that with the planner itself (pure and fast, so the choice is
exactly what seed_planning then writes), among the Mondays 1 to 44 weeks back, 9 weeks back first: the first whose
plan has every running cohort started, puts the demo cohort at the centre on the demo's day with the demo trainer,
leaves the demo apprentice's story half-days behind her, never books a team twice, and gives every running cohort
its programme's hours exactly. When no start gives the exact hours (an 11-month contract across both closures can
fall short), the shortfall is planned and shown, as it would be for a real cohort.
"""

from __future__ import annotations

import bisect
import calendar as month_calendar
import functools
from dataclasses import dataclass
from datetime import date, timedelta

from cfa.demo import data
from cfa.services import calendar_generation as generation

WEEK = timedelta(days=7)
PREFERRED_WEEKS_BACK = 9  # the running year has a history (three course weeks) and most of it ahead
WEEKS_BACK = [*range(PREFERRED_WEEKS_BACK, 45), *range(PREFERRED_WEEKS_BACK - 1, 0, -1)]
PAST_HALF_DAYS = 2  # the demo apprentice's story (attendance.py): a corrected half-day, then her latest absence


@dataclass(frozen=True)
class DemoCohort:
    programme: str  # programme code
    centre: str  # centre code
    start: date
    end: date
    headcount: int
    finished: bool

    @property
    def name(self) -> str:
        years = f"{self.start.year}-{self.end.year}" if self.end.year > self.start.year else f"{self.start.year}"
        return f"{self.programme} {self.centre.title()} {years}"

    @property
    def is_demo(self) -> bool:
        """The demo apprentice's cohort, which the demo trainer leads."""
        return not self.finished and (self.programme, self.centre) == (data.DEMO_PROGRAMME, data.DEMO_CENTRE)


@dataclass(frozen=True)
class DemoCalendar:
    today: date  # the day the demo is built for: before it, every half-day has its closed sheet
    demo_day: date  # today, or the next day the centre is open: the demo trainer's sheets to take
    cohorts: tuple[DemoCohort, ...]
    closures: tuple[tuple[str, date, date], ...]  # (label, first day, last day), the same for both centres

    @property
    def demo_cohort(self) -> DemoCohort:
        return next(c for c in self.cohorts if c.is_demo)


class NoDemoCalendar(RuntimeError):
    """No running year fits the day (a change of rhythm or closures would need another search window)."""


def build_calendar(today: date, running_start: date | None = None) -> DemoCalendar:
    """The demo's cohorts and closures for `today`; `running_start` keeps the running year of a demo built before."""
    finished = [DemoCohort(p, c, start, end, n, True) for p, c, start, end, n in data.FINISHED_COHORTS]
    latest = max(today, running_start or today) + 60 * WEEK
    closures = closures_between(min(c.start for c in finished), latest)
    demo_day = next_open_day(today, closures)
    if running_start is None:
        running_start = _running_start(today, demo_day, finished, closures)
    running = _running(running_start)
    span = (min(c.start for c in finished), max(c.end for c in running))
    kept = tuple(closure for closure in closures if closure[2] >= span[0] and closure[1] <= span[1])
    return DemoCalendar(today, demo_day, (*finished, *running), kept)


def closures_between(first: date, last: date) -> list[tuple[str, date, date]]:
    """Christmas and New Year (the two weeks holding 25 December and 1 January), and August's first weeks."""
    closures = []
    for year in range(first.year - 1, last.year + 1):
        christmas = generation.monday_of(date(year, 12, 25))
        new_year = generation.monday_of(date(year + 1, 1, 1)) + timedelta(days=4)
        closures.append((f"Vacances de Noël {year}", christmas, new_year))
        august = generation.monday_of(date(year, 8, 7))  # the first Monday of August
        closures.append(
            (f"Fermeture estivale {year}", august, august + data.CLOSED_WEEKS_IN_AUGUST * WEEK - timedelta(days=3))
        )
    return sorted((c for c in closures if c[2] >= first and c[1] <= last), key=lambda c: c[1])


def next_open_day(day: date, closures) -> date:
    """The day itself, or the next one that is not a weekend, a public holiday or a closure day."""
    holidays = generation.french_holidays(day, day + 60 * WEEK)
    while day.weekday() >= 5 or day in holidays or any(start <= day <= end for _, start, end in closures):
        day += timedelta(days=1)
    return day


def contract_end(start: date, months: int) -> date:
    """The Friday before the contract's anniversary: contracts end at the end of a working week."""
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    anniversary = date(year, month, min(start.day, month_calendar.monthrange(year, month)[1]))
    return anniversary - timedelta(days=(anniversary.weekday() - 4) % 7 or 7)


@functools.cache
def _running(msads_start: date) -> tuple[DemoCohort, ...]:
    months = {p["code"]: p["duration_months"] for p in data.PROGRAMMES}
    cohorts = []
    for programme, centre, weeks_after, headcount in data.RUNNING_COHORTS:
        start = msads_start + weeks_after * WEEK
        cohorts.append(DemoCohort(programme, centre, start, contract_end(start, months[programme]), headcount, False))
    return tuple(cohorts)


def planned(cohort: DemoCohort, closures) -> generation.Plan:
    """The planner's calendar of a cohort, as seed_planning will write it."""
    return _plan_of(*_key(cohort, closures))


def _key(cohort: DemoCohort, closures) -> tuple:
    """What a cohort's plan depends on, and is cached under: only the closures within its contract."""
    return (
        cohort.programme,
        cohort.start,
        cohort.end,
        tuple(c for c in closures if c[2] >= cohort.start and c[1] <= cohort.end),
    )


@functools.cache
def _plan_of(programme: str, start: date, end: date, closures) -> generation.Plan:
    """Cached: the search plans the same starts again and again. Modules are numbered in their order."""
    spec = next(p for p in data.PROGRAMMES if p["code"] == programme)
    request = generation.PlanRequest(
        start=start,
        end=end,
        total_minutes=spec["hours"] * 60,
        rhythm=generation.Rhythm(first_block_weeks=spec.get("first_block_weeks", 1)),
        closures=tuple(generation.Closure(first, last, label) for label, first, last in closures),
        modules=tuple(generation.ModuleBudget(index, hours * 60) for index, (*_, hours) in enumerate(spec["modules"])),
    )
    return generation.plan(request)


def teacher(cohort: DemoCohort, session: generation.PlannedSession) -> str:
    """Who teaches a planned session: the cohort's team's teacher of its module (data.TEACHING)."""
    spec = next(p for p in data.PROGRAMMES if p["code"] == cohort.programme)
    teaching = data.TEACHING[cohort.centre, cohort.programme]
    code = spec["modules"][session.module_id][0]
    return teaching.get(code, teaching["default"])


def _no_double_booking(cohorts: list[DemoCohort], closures) -> bool:
    """True when no two cohorts with the same team and room (same centre and programme) share a day."""
    seen: dict[tuple[str, str], frozenset[date]] = {}
    for cohort in cohorts:
        days = _days_at_centre(*_key(cohort, closures))
        team = seen.get((cohort.centre, cohort.programme), frozenset())
        if team & days:
            return False
        seen[cohort.centre, cohort.programme] = team | days
    return True


@functools.cache
def _days_at_centre(programme: str, start: date, end: date, closures) -> frozenset[date]:
    return frozenset(_half_day_dates(programme, start, end, closures))


@functools.cache
def _half_day_dates(programme: str, start: date, end: date, closures) -> tuple[date, ...]:
    return tuple(s.date for s in _plan_of(programme, start, end, closures).sessions)


@functools.cache
def _missing_minutes(programme: str, start: date, end: date, closures) -> int:
    return _plan_of(programme, start, end, closures).missing_minutes


def _running_start(today: date, demo_day: date, finished: list[DemoCohort], closures) -> date:
    for exact_hours in (True, False):  # the programme's hours exactly if a start allows it, else a shortfall shown
        for weeks_back in WEEKS_BACK:
            start = generation.monday_of(demo_day) - weeks_back * WEEK
            running = _running(start)
            if not all(c.start <= today for c in running):
                continue
            demo = next(c for c in running if c.is_demo)
            dates = _half_day_dates(*_key(demo, closures))
            if (
                demo_day in _days_at_centre(*_key(demo, closures))
                and bisect.bisect_left(dates, today) >= PAST_HALF_DAYS
                and any(
                    s.date == demo_day and teacher(demo, s) == data.DEMO_TRAINER
                    for s in planned(demo, closures).sessions
                )
                and (not exact_hours or not any(_missing_minutes(*_key(c, closures)) for c in running))
                and _no_double_booking([*finished, *running], closures)
            ):
                return start
    raise NoDemoCalendar(f"Aucune année de démonstration ne convient au {today:%d/%m/%Y}.")
