"""Attendance rates: minutes attended over minutes recorded, lateness and early leaves deducted,
justified and unjustified absences counted apart (what OPCOs pay on, and what Qualiopi indicator 12 follows).

Rules:
- a mark's attended minutes are the session's minutes less its late and its early minutes, whatever its status
  (one half-day may hold both);
- an absence is justified when an accepted justification of the apprentice covers its date, read when the rate is
  computed: an absence recorded after the justification was decided is covered too, and nothing can drift;
- a past live half-day of an enrolled apprentice without a mark is "non renseigné": counted apart, never
  silently left out, until the sheet is taken or the session cancelled.

Everything is summed by the database (GROUP BY), whatever the number of marks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa

from cfa.extensions import db
from cfa.formatting import PARIS
from cfa.models import (
    AttendanceMark,
    Enrolment,
    EnrolmentStatus,
    Justification,
    JustificationStatus,
    MarkStatus,
    Session,
    SessionStatus,
)
from cfa.sqltime import minutes_of


@dataclass
class Rate:
    scheduled: int = 0  # minutes of half-days whose attendance was recorded
    attended: int = 0
    late: int = 0
    left_early: int = 0
    absent_justified: int = 0
    absent_unjustified: int = 0
    half_days: int = 0
    absences: int = 0  # half-days absent
    lateness: int = 0  # half-days late or left early
    not_recorded_minutes: int = 0  # past half-days of the apprentice with no mark: "non renseigné"
    not_recorded_half_days: int = 0

    @property
    def value(self) -> float | None:
        return self.attended / self.scheduled if self.scheduled else None

    def add(self, other: Rate) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


SESSION_MINUTES = minutes_of(Session.start_time, Session.end_time)


def justified_clause():
    """SQL: an accepted justification of the mark's apprentice covers the mark's date."""
    return sa.exists().where(
        Justification.enrolment_id == AttendanceMark.enrolment_id,
        Justification.status == JustificationStatus.ACCEPTED,
        Justification.start_date <= Session.date,
        Justification.end_date >= Session.date,
    )


def enrolled_on_session_clause():
    """SQL: the enrolment's contract covers the session's date (the day of a rupture included)."""
    last_day = sa.func.coalesce(Enrolment.interrupted_on, Enrolment.contract_end)
    return sa.and_(Enrolment.contract_start <= Session.date, Session.date <= last_day)


def ended_clause(now: datetime | None = None):
    """SQL: the session's half-day is over (Paris wall-clock)."""
    local = (now or datetime.now(UTC)).astimezone(PARIS)
    today = local.date()
    # The bare bound first: an index on the date can seek to it instead of walking every half-day to come.
    return sa.and_(
        Session.date <= today,
        sa.or_(Session.date < today, sa.and_(Session.date == today, Session.end_time <= local.time())),
    )


def _recorded(key, keys: list[int] | sa.Select, start: date | None, end: date | None, total: bool = False):
    """The recorded minutes per key (or in one row if `total`), summed mark by mark in one aggregate. A mark's
    attended minutes are never below zero (a save keeps its late and early minutes within the half-day). The
    unjustified minutes are the absent ones less the justified ones (`_rate_of`): the justification look-up, nested
    so that it runs for absences only, then runs once per absence, not twice."""
    absent = AttendanceMark.status == MarkStatus.ABSENT
    justified = sa.case((absent, sa.case((justified_clause(), 1), else_=0)), else_=0)
    present_minutes = SESSION_MINUTES - AttendanceMark.minutes_late - AttendanceMark.minutes_left_early
    late_or_early = sa.or_(AttendanceMark.minutes_late > 0, AttendanceMark.minutes_left_early > 0)
    stmt = _in_period(
        sa.select(
            *(() if total else (key.label("key"),)),
            sa.func.sum(SESSION_MINUTES).label("scheduled"),
            sa.func.sum(sa.case((absent, 0), (present_minutes > 0, present_minutes), else_=0)).label("attended"),
            sa.func.sum(AttendanceMark.minutes_late).label("late"),
            sa.func.sum(AttendanceMark.minutes_left_early).label("left_early"),
            sa.func.sum(SESSION_MINUTES * justified).label("absent_justified"),
            sa.func.sum(sa.case((absent, SESSION_MINUTES), else_=0)).label("absent_minutes"),
            sa.func.count().label("half_days"),
            sa.func.sum(sa.case((absent, 1), else_=0)).label("absences"),
            sa.func.sum(sa.case((late_or_early, 1), else_=0)).label("lateness"),
        )
        .select_from(AttendanceMark)
        .join(Session, AttendanceMark.session_id == Session.id)
        .join(Enrolment, AttendanceMark.enrolment_id == Enrolment.id)
        .where(key.in_(keys), Session.status == SessionStatus.PLANNED),
        start,
        end,
    )
    return stmt if total else stmt.group_by(key)


def _rate_of(row) -> Rate:
    values = {name: int(value or 0) for name, value in row._mapping.items() if name != "key"}
    values["absent_unjustified"] = values.pop("absent_minutes") - values["absent_justified"]
    return Rate(**values)


def _in_period(stmt, start: date | None, end: date | None):
    if start is not None:
        stmt = stmt.where(Session.date >= start)
    if end is not None:
        stmt = stmt.where(Session.date <= end)
    return stmt


def _rates(key, keys: list[int], start: date | None, end: date | None, now: datetime | None) -> dict[int, Rate]:
    """Rates grouped by `key` (a column of Enrolment or AttendanceMark): two aggregate queries."""
    rates = _recorded_rates(key, keys, start, end)
    if not keys:
        return rates
    for group, minutes, half_days in db.session.execute(_missing(key, keys, start, end, now).group_by(key)):
        rates[group].not_recorded_minutes = int(minutes or 0)
        rates[group].not_recorded_half_days = int(half_days)
    return rates


def total_rate(enrolments: sa.Select, start: date | None, end: date | None, now: datetime | None = None) -> Rate:
    """The summed rate of many apprentices, given as a SELECT of their enrolment ids: two aggregate queries of one
    row each, whatever the number of apprentices (a network's year is thousands)."""
    ids = sa.select(enrolments.subquery().c[0])  # a derived table: never correlated with the enrolment joined here
    rate = _rate_of(db.session.execute(_recorded(Enrolment.id, ids, start, end, total=True)).one())
    minutes, half_days = db.session.execute(_missing(Enrolment.id, ids, start, end, now, total=True)).one()
    rate.not_recorded_minutes, rate.not_recorded_half_days = int(minutes or 0), int(half_days)
    return rate


def _missing(key, keys, start: date | None, end: date | None, now: datetime | None, total: bool = False):
    """Past half-days of the apprentices without a mark: their minutes and their number, per key (grouped by the
    caller) or in `total`."""
    has_mark = sa.exists().where(AttendanceMark.session_id == Session.id, AttendanceMark.enrolment_id == Enrolment.id)
    return _in_period(
        sa.select(*(() if total else (key,)), sa.func.sum(SESSION_MINUTES), sa.func.count())
        .select_from(Enrolment)
        .join(Session, Session.cohort_id == Enrolment.cohort_id)
        .where(
            key.in_(keys),
            Session.status == SessionStatus.PLANNED,
            enrolled_on_session_clause(),
            ended_clause(now),
            sa.not_(has_mark),
        ),
        start,
        end,
    )


def rates_by_enrolment(
    enrolment_ids: Iterable[int], start: date | None = None, end: date | None = None, now: datetime | None = None
) -> dict[int, Rate]:
    """Each apprentice's rate over a period (two queries for any number of apprentices)."""
    return _rates(Enrolment.id, list(enrolment_ids), start, end, now)


def rates_by_cohort(cohort_ids: Iterable[int], now: datetime | None = None) -> tuple[dict[int, Rate], dict[int, int]]:
    """Each cohort's summed rate and its number of active apprentices (three queries)."""
    ids = list(cohort_ids)
    totals = _rates(Enrolment.cohort_id, ids, None, None, now)
    active = dict.fromkeys(ids, 0)
    if ids:
        stmt = (
            sa.select(Enrolment.cohort_id, sa.func.count())
            .where(Enrolment.cohort_id.in_(ids), Enrolment.status == EnrolmentStatus.ACTIVE)
            .group_by(Enrolment.cohort_id)
        )
        active.update(dict(db.session.execute(stmt).all()))
    return totals, active


def recorded_by_cohort(
    cohort_ids: Iterable[int], start: date | None = None, end: date | None = None
) -> dict[int, Rate]:
    """Each cohort's recorded minutes over a period (one query), without the "non renseigné" count: what yearly
    figures of short courses read (trainee-hours attended), where a missing sheet is shown on the run itself."""
    return _recorded_rates(Enrolment.cohort_id, list(cohort_ids), start, end)


def recorded_by_enrolment(
    enrolment_ids: Iterable[int], start: date | None = None, end: date | None = None
) -> dict[int, Rate]:
    """Each apprentice's recorded minutes over a period (one query), without the "non renseigné" count: the audit
    file's rows, which list what the sheets hold."""
    return _recorded_rates(Enrolment.id, list(enrolment_ids), start, end)


def _recorded_rates(key, keys: list[int], start: date | None, end: date | None) -> dict[int, Rate]:
    rates = {k: Rate() for k in keys}
    if keys:
        for row in db.session.execute(_recorded(key, keys, start, end)):
            rates[row.key] = _rate_of(row)
    return rates
