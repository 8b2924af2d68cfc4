"""Attendance totals of closed years, kept once computed.

A year's attendance rate sums a year of the network's marks (hundreds of thousands of them): one to two seconds on
PostgreSQL, for a figure that hardly moves once the year is over, and the quality dashboard shows five years of it.
The dashboard and the quality officer's home read closed years from here: computed at the first view and kept in
`attendance_snapshot` with the versions of `attendance_year_version` read before computing. A kept total is used
only while those versions are unchanged, so that a write committed while it was being computed cannot leave a
stale figure behind. A version moves

- when a mark or a half-day of a closed year is written, by any page or import (a flush listener below: an ORM
  write cannot miss it): that year's;
- when an enrolment's contract dates or cohort change, or a cohort changes centre or programme: year 0, every
  year's (those are rare and can move a whole population between scopes).

A kept total is also computed again after MAX_AGE, for what no flush sees (bulk SQL statements), and on
"Recalculer" from the dashboard. The current year is never kept: its sheets are being taken. The audit file sums its
own year from the rows it lists, read then, and takes the kept totals for its chart of the earlier years. A page
that reads a kept total commits after building, so that what it computed is kept for the next view.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import event, orm
from sqlalchemy.dialects import postgresql, sqlite

from cfa.extensions import db
from cfa.formatting import PARIS
from cfa.models import AttendanceMark, AttendanceSnapshot, AttendanceYearVersion, Cohort, Enrolment, Session

MAX_AGE = timedelta(hours=24)
EVERY_YEAR = 0  # the version row of writes that concern every year
# What an enrolment or a cohort may change that moves marks from one dashboard scope to another.
SCOPE = {
    Enrolment: ("contract_start", "contract_end", "interrupted_on", "cohort_id"),
    Cohort: ("centre_id", "programme_id"),
}


def kept_total(
    key: str, year: int, compute: Callable[[], tuple[int, int]], now: datetime | None = None
) -> tuple[int, int, datetime | None]:
    """(attended, scheduled, computed_at) of a year for one scope `key`: computed_at is None when the figure was
    computed now (current year), else the time of the kept figure."""
    now = now or datetime.now(UTC)
    if year >= now.astimezone(PARIS).year:
        return (*compute(), None)
    versions = _versions(year)  # read before computing: a write committed meanwhile moves them past this total
    kept = db.session.scalar(
        sa.select(AttendanceSnapshot).where(
            AttendanceSnapshot.key == key, AttendanceSnapshot.computed_at > now - MAX_AGE
        )
    )
    if kept is not None and (kept.year_version, kept.all_version) == versions:
        return kept.attended, kept.scheduled, kept.computed_at
    attended, scheduled = compute()
    _keep(key, year, attended, scheduled, now, versions)
    return attended, scheduled, now


def _versions(year: int) -> tuple[int, int]:
    rows = dict(
        db.session.execute(
            sa.select(AttendanceYearVersion.year, AttendanceYearVersion.version).where(
                AttendanceYearVersion.year.in_([year, EVERY_YEAR])
            )
        ).all()
    )
    return rows.get(year, 0), rows.get(EVERY_YEAR, 0)


def _keep(key: str, year: int, attended: int, scheduled: int, now: datetime, versions: tuple[int, int]) -> None:
    """Written over any older total of the scope, or over the one another worker kept meanwhile."""
    values = dict(
        key=key,
        year=year,
        attended=attended,
        scheduled=scheduled,
        computed_at=now,
        year_version=versions[0],
        all_version=versions[1],
    )
    table = AttendanceSnapshot.__table__
    dialect = db.session.get_bind().dialect.name
    db.session.execute(_upsert(dialect, table, [values], table.c.key, values))


def forget(keys: Iterable[str]) -> None:
    """What "Recalculer" does: the next view computes these figures again."""
    db.session.execute(sa.delete(AttendanceSnapshot).where(AttendanceSnapshot.key.in_(list(keys))))


def _moves_scope(session: orm.Session, obj: Enrolment | Cohort) -> bool:
    """Deleted, or changed in what decides which dashboard scopes its marks count in."""
    if obj in session.deleted:
        return True
    attrs = sa.inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in SCOPE[type(obj)])


def _years_written(session: orm.Session) -> tuple[set[int], bool]:
    """The years whose marks or half-days this flush writes, and whether every year must be forgotten."""
    years: set[int] = set()
    session_ids: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, AttendanceMark):
            # A new mark may only hold its half-day object: its session_id is set by this very flush.
            half_day = sa.inspect(obj).attrs.session.loaded_value
            if isinstance(half_day, Session) and half_day.date is not None:
                years.add(half_day.date.year)
            else:
                session_ids.add(obj.session_id)
        elif isinstance(obj, Session):
            history = sa.inspect(obj).attrs.date.history
            if history.added and not (history.deleted or history.unchanged) and obj not in session.new:
                return years, True  # moved while its old date was not loaded: which year it left is unknown
            years.update(day.year for day in (*history.deleted, obj.date) if day)
        elif isinstance(obj, Enrolment | Cohort) and obj not in session.new and _moves_scope(session, obj):
            return years, True
    unknown = set()
    for session_id in session_ids - {None}:
        loaded = session.identity_map.get(orm.util.identity_key(Session, session_id))
        if loaded is not None and loaded.date is not None:
            years.add(loaded.date.year)
        else:
            unknown.add(session_id)
    if unknown:
        days = session.execute(sa.select(sa.distinct(Session.date)).where(Session.id.in_(unknown))).scalars()
        years.update(day.year for day in days)
    return years, False


@event.listens_for(orm.Session, "before_flush")
def _move_written_years(session: orm.Session, _context, _instances) -> None:
    if not any(
        isinstance(obj, (AttendanceMark, Session, Enrolment, Cohort))
        for obj in (*session.new, *session.dirty, *session.deleted)
    ):
        return
    with session.no_autoflush:  # reading an expired date or session_id loads it, without flushing again
        years, everything = _years_written(session)
    current = datetime.now(UTC).astimezone(PARIS).year
    closed = [EVERY_YEAR] if everything else sorted(year for year in years if year < current)
    if closed:
        _bump(session.connection(), closed)


def _bump(connection: sa.Connection, years: list[int]) -> None:
    """One more version for each year, created at 1 (in the years' order: two writers never wait on each other
    crosswise)."""
    table = AttendanceYearVersion.__table__
    rows = [{"year": year, "version": 1} for year in years]
    connection.execute(_upsert(connection.dialect.name, table, rows, table.c.year, {"version": table.c.version + 1}))


def _upsert(dialect: str, table: sa.Table, rows: list[dict], unique: sa.Column, changes: dict):
    """INSERT … ON CONFLICT DO UPDATE, which both engines speak with their own construct."""
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(table)
    return insert.values(rows).on_conflict_do_update(index_elements=[unique], set_=changes)
