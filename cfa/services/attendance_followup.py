"""Sheets to regularise: past half-days whose sheet was never taken or never closed.

A half-day a funder may pay on stays on this list, whatever its age, until its sheet is closed or the session is
cancelled: an auditor treats a missing sheet as hours not proven, so it must never drop off silently.

Whether a sheet is closed is read from its half-day (`Session.sheet_closed`, under a partial index of the half-days
not closed): a network's history is a hundred thousand closed sheets, which an anti-join walked on every page. The
flag follows the sheet in the same flush (the listener below: closing, or any ORM write of a sheet), and bulk
inserts of closed sheets (demo, generator) set it with `flag_closed_sheets`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event, orm
from sqlalchemy.orm import selectinload

from cfa.batches import batches
from cfa.extensions import db
from cfa.models import AttendanceSheet, Cohort, Session, SessionStatus, User
from cfa.services.attendance_rates import ended_clause

TRAINER_LIST_LIMIT = 50


def unfinished_clause(now: datetime | None = None):
    """SQL: a live session whose half-day is over and whose sheet is missing or still open."""
    return sa.and_(Session.status == SessionStatus.PLANNED, ended_clause(now), sa.not_(Session.sheet_closed))


def flag_closed_sheets(session_ids: Iterable[int]) -> None:
    """After a bulk insert of closed sheets, which no flush sees."""
    for batch in batches(list(session_ids), 10_000):
        db.session.execute(sa.update(Session.__table__).where(Session.id.in_(batch)).values(sheet_closed=True))


@event.listens_for(orm.Session, "before_flush")
def _flag_closed_sheets(session: orm.Session, _context, _instances) -> None:
    for sheet in (*session.new, *session.dirty, *session.deleted):
        if isinstance(sheet, AttendanceSheet):
            with session.no_autoflush:
                half_day = sheet.session if sheet.session is not None else session.get(Session, sheet.session_id)
                if half_day is not None:
                    half_day.sheet_closed = sheet.closed_at is not None and sheet not in session.deleted


def sheets_to_finish(now: datetime | None = None, trainer: User | None = None, centre_id: int | None = None):
    """The statement listing them, newest first, for a page to paginate (a trainer's own, a centre's, or all)."""
    stmt = (
        sa.select(Session)
        .where(unfinished_clause(now))
        .options(
            selectinload(Session.cohort).selectinload(Cohort.centre),
            selectinload(Session.module),
            selectinload(Session.trainer),
        )
        .order_by(Session.date.desc(), Session.start_time.desc(), Session.id)
    )
    if trainer is not None:
        stmt = stmt.where(Session.trainer_id == trainer.id)
    if centre_id is not None:
        stmt = stmt.where(Session.cohort_id.in_(sa.select(Cohort.id).where(Cohort.centre_id == centre_id)))
    return stmt


def count_to_finish(now: datetime | None = None, trainer: User | None = None) -> int:
    stmt = sa.select(sa.func.count()).select_from(Session).where(unfinished_clause(now))
    if trainer is not None:
        stmt = stmt.where(Session.trainer_id == trainer.id)
    return db.session.scalar(stmt)


def trainer_to_finish(trainer: User, now: datetime | None = None) -> tuple[list[Session], int]:
    """A trainer's own sheets to finish, newest first, bounded, with how many there are in all."""
    shown = list(db.session.scalars(sheets_to_finish(now, trainer).limit(TRAINER_LIST_LIMIT)))
    total = len(shown) if len(shown) < TRAINER_LIST_LIMIT else count_to_finish(now, trainer)
    return shown, total
