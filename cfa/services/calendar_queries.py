"""A cohort's calendar read back from the database: the year overview week by week, the sessions of a cohort
or a trainer, planned minutes, the weeks at the centre a tutor plans around.

Nothing here writes: these are what the calendar pages, documents and feeds show. The writes are in
`replanning` (a generated calendar stored) and `planning_edits` (changes by hand).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.formatting import long_date, minutes_label
from cfa.models import (
    AttendanceMark,
    CalendarPeriod,
    ClosurePeriod,
    Cohort,
    PeriodKind,
    Programme,
    Session,
    SessionStatus,
)
from cfa.services.calendar_generation import monday_of
from cfa.sqltime import minutes_of


def load_cohort(cohort_id: int) -> Cohort | None:
    stmt = (
        sa.select(Cohort)
        .where(Cohort.id == cohort_id)
        .options(
            selectinload(Cohort.programme).selectinload(Programme.modules),
            selectinload(Cohort.centre),
            selectinload(Cohort.periods),
            selectinload(Cohort.module_assignments),
            selectinload(Cohort.skill_blocks),
        )
    )
    return db.session.scalar(stmt)


def marked_session_ids(session_ids) -> set[int]:
    ids = list(session_ids)
    if not ids:
        return set()
    stmt = sa.select(AttendanceMark.session_id).where(AttendanceMark.session_id.in_(ids)).distinct()
    return set(db.session.scalars(stmt))


def session_details() -> list:
    """Eager loads for a session shown with its cohort (programme, centre), module, trainer and room."""
    return [
        selectinload(Session.cohort).selectinload(Cohort.programme),
        selectinload(Session.cohort).selectinload(Cohort.centre),
        selectinload(Session.module),
        selectinload(Session.trainer),
        selectinload(Session.room),
    ]


def cohort_sessions(cohort_id: int, start: date | None = None, end: date | None = None, live_only: bool = False):
    return list(db.session.scalars(cohort_sessions_statement(cohort_id, start, end, live_only)))


def cohort_sessions_statement(
    cohort_id: int, start: date | None = None, end: date | None = None, live_only: bool = False
):
    """A cohort's half-days in date order, with their module, trainer and room."""
    stmt = (
        sa.select(Session)
        .where(Session.cohort_id == cohort_id)
        .options(selectinload(Session.module), selectinload(Session.trainer), selectinload(Session.room))
        .order_by(Session.date, Session.start_time, Session.id)
    )
    if start is not None:
        stmt = stmt.where(Session.date >= start)
    if end is not None:
        stmt = stmt.where(Session.date <= end)
    if live_only:
        stmt = stmt.where(Session.status == SessionStatus.PLANNED)
    return stmt


def planned_minutes(cohort_id: int) -> int:
    return planned_minutes_by_cohort([cohort_id]).get(cohort_id, 0)


def planned_minutes_by_cohort(cohort_ids) -> dict[int, int]:
    """Minutes of live sessions per cohort, summed by the database: one row per cohort, not one per session."""
    stmt = (
        sa.select(Session.cohort_id, sa.func.sum(minutes_of(Session.start_time, Session.end_time)))
        .where(Session.cohort_id.in_(list(cohort_ids)), Session.status == SessionStatus.PLANNED)
        .group_by(Session.cohort_id)
    )
    return {cohort_id: int(minutes or 0) for cohort_id, minutes in db.session.execute(stmt)}


def centre_closures(centre_id: int, start: date, end: date) -> list[ClosurePeriod]:
    stmt = sa.select(ClosurePeriod).where(
        ClosurePeriod.centre_id == centre_id, ClosurePeriod.end_date >= start, ClosurePeriod.start_date <= end
    )
    return list(db.session.scalars(stmt))


def rncp_warning(cohort: Cohort) -> str | None:
    """The title's registration ends before the cohort does: its apprentices may sit a title no longer registered."""
    until = cohort.programme.rncp_valid_until
    if until is None or cohort.end_date <= until:
        return None
    code = cohort.programme.rncp_code or cohort.programme.code
    return (
        f"L'enregistrement du titre au RNCP ({code}) prend fin le {long_date(until)}, avant la fin de la promotion "
        f"({long_date(cohort.end_date)}) : vérifiez son renouvellement avant de présenter les apprenti·es."
    )


def hours_summary(cohort: Cohort, minutes: int | None = None) -> str:
    planned = planned_minutes(cohort.id) if minutes is None else minutes
    total = cohort.programme.total_minutes
    if planned == total:
        return f"{minutes_label(planned)} planifiées sur {minutes_label(total)}"
    if planned < total:
        return f"{minutes_label(planned)} planifiées sur {minutes_label(total)} : il manque {minutes_label(total - planned)}"
    return f"{minutes_label(planned)} planifiées sur {minutes_label(total)} : {minutes_label(planned - total)} de trop"


def cohort_skill_blocks(cohort: Cohort) -> list:
    """The blocks the cohort is taught: its own copy once planned, the programme's current ones before."""
    return list(cohort.skill_blocks) or list(cohort.programme.skill_blocks)


# --- The calendar week by week -----------------------------------------------------------------


DAY_KIND_NAMES = {
    "course": "au centre",
    "field": "en entreprise",
    "holiday": "jour férié ou congés",
    "closure": "fermeture du centre",
    "outside": "hors de la formation",
}


@dataclass
class DayCell:
    day: date
    kind: str  # course, field, holiday, closure, outside
    label: str | None = None

    @property
    def kind_name(self) -> str:
        """What the cell's colour means, in words (read by screen readers)."""
        return DAY_KIND_NAMES[self.kind]


@dataclass
class WeekRow:
    monday: date
    kind: PeriodKind
    label: str | None
    manual: bool
    minutes: int
    cancelled: int
    days: list[DayCell]
    sessions: list[Session]

    @property
    def new_month(self) -> bool:
        return self.monday.day <= 7


def year_overview(cohort: Cohort, sessions: list[Session]) -> list[WeekRow]:
    """The planning d'alternance week by week, from the stored periods and sessions (no query)."""
    periods = sorted(cohort.periods, key=lambda p: (p.start_date, p.kind != PeriodKind.COURSE))
    by_week: dict[date, list[Session]] = {}
    for session in sessions:
        by_week.setdefault(monday_of(session.date), []).append(session)
    centre_days = max(5, max(int(d) for d in cohort.programme.centre_days))
    rows = []
    monday = monday_of(cohort.start_date)
    while monday <= cohort.end_date:
        rows.append(_week_row(cohort, monday, periods, by_week.get(monday, []), centre_days))
        monday += timedelta(days=7)
    return rows


def _week_row(
    cohort: Cohort, monday: date, periods: list[CalendarPeriod], week_sessions: list[Session], centre_days: int
) -> WeekRow:
    covering = [p for p in periods if p.start_date <= monday + timedelta(days=6) and p.end_date >= monday]
    # A course period says the week is at the centre even when a closure or a field run overlaps it.
    period = next((p for p in covering if p.kind == PeriodKind.COURSE), None) or next(
        (p for p in covering if p.kind in (PeriodKind.CLOSURE, PeriodKind.FIELD)), None
    )
    live = [s for s in week_sessions if not s.is_cancelled]
    return WeekRow(
        monday=monday,
        kind=period.kind if period else PeriodKind.FIELD,
        label=period.label if period else None,
        manual=bool(period and period.manual),
        minutes=sum(s.minutes for s in live),
        cancelled=len(week_sessions) - len(live),
        days=[_day_cell(monday + timedelta(days=n), cohort, covering, live) for n in range(centre_days)],
        sessions=week_sessions,
    )


def _day_cell(day: date, cohort: Cohort, covering: list[CalendarPeriod], live: list[Session]) -> DayCell:
    if not (cohort.start_date <= day <= cohort.end_date):
        return DayCell(day, "outside")
    for kind in (PeriodKind.HOLIDAY, PeriodKind.CLOSURE):
        period = next((p for p in covering if p.kind == kind and p.start_date <= day <= p.end_date), None)
        if period:
            return DayCell(day, kind.value, period.label)
    if any(s.date == day for s in live):
        return DayCell(day, "course")
    return DayCell(day, "field")


def course_weeks_of(cohort_ids, start: date | None = None) -> list[CalendarPeriod]:
    """Course weeks of several cohorts, in date order (one query): when apprentices are at the centre."""
    stmt = (
        sa.select(CalendarPeriod)
        .where(CalendarPeriod.cohort_id.in_(list(cohort_ids)), CalendarPeriod.kind == PeriodKind.COURSE)
        .order_by(CalendarPeriod.start_date)
    )
    if start is not None:
        stmt = stmt.where(CalendarPeriod.end_date >= start)
    return list(db.session.scalars(stmt))


def trainer_sessions(trainer_id: int, start: date, end: date) -> list[Session]:
    stmt = (
        sa.select(Session)
        .where(Session.trainer_id == trainer_id, Session.date.between(start, end))
        .options(*session_details())
        .order_by(Session.date, Session.start_time)
    )
    return list(db.session.scalars(stmt))


@dataclass
class CohortCalendar:
    cohort: Cohort
    rows: list[WeekRow]
    planned_minutes: int
    first_day: date | None
    last_day: date | None
    rncp_warning: str | None = None

    @property
    def course_weeks(self) -> int:
        return sum(1 for r in self.rows if r.kind == PeriodKind.COURSE)

    @property
    def moved(self) -> list[WeekRow]:
        return [r for r in self.rows if r.kind == PeriodKind.COURSE and r.label]

    @property
    def missing_minutes(self) -> int:
        return self.cohort.programme.total_minutes - self.planned_minutes


def cohort_calendar(cohort: Cohort) -> CohortCalendar:
    """Everything the calendar pages and the year plan show of a cohort, in two queries."""
    sessions = cohort_sessions(cohort.id)
    live = [s for s in sessions if not s.is_cancelled]
    return CohortCalendar(
        cohort=cohort,
        rows=year_overview(cohort, sessions),
        planned_minutes=sum(s.minutes for s in live),
        first_day=live[0].date if live else None,
        last_day=live[-1].date if live else None,
        rncp_warning=rncp_warning(cohort),
    )


@dataclass
class CentreWeek:
    start: date
    end: date
    apprentices: list  # enrolments at the centre that week

    def is_current(self, day: date) -> bool:
        return self.start <= day <= self.end + timedelta(days=2)


def centre_weeks_for(enrolments, start: date) -> list[CentreWeek]:
    """Weeks at the centre of several apprentices, merged by dates: what a tutor plans their team around."""
    by_cohort: dict[int, list] = {}
    for enrolment in enrolments:
        by_cohort.setdefault(enrolment.cohort_id, []).append(enrolment)
    weeks: dict[tuple[date, date], CentreWeek] = {}
    for period in course_weeks_of(by_cohort, start=start):
        present = [e for e in by_cohort[period.cohort_id] if e.is_enrolled_on(period.start_date)]
        if present:
            week = weeks.setdefault(
                (period.start_date, period.end_date), CentreWeek(period.start_date, period.end_date, [])
            )
            week.apprentices.extend(present)
    return [weeks[key] for key in sorted(weeks)]
