"""A trainer's home: the half-days of today and of the week, every sheet still to take or close, the half-day
running now (for its self sign-in QR code), and the changes to their planning they have not read yet.

A change is a write to one of the trainer's coming half-days (from the audit trail that the planning notices read
too) or a half-day taken from them. It is unread when it was made after the trainer's "read up to" time
(`User.planning_seen_at`, moved by "Marquer comme lus"), and never older than UNREAD_DAYS: a trainer who never
marks them read is not shown a term of edits. A fixed number of queries, whatever the number of sessions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.formatting import PARIS
from cfa.models import AttendanceSheet, AuditEvent, MarkStatus, Session, SessionRelease, SessionStatus, User
from cfa.services import attendance_queries, calendar_queries
from cfa.services.attendance import session_end, session_start
from cfa.services.attendance_codes import OPENS_BEFORE
from cfa.services.attendance_followup import trainer_to_finish
from cfa.services.planning_notices import ACTIONS

UNREAD_DAYS = 30
WEEK_DAYS = 7  # the coming half-days shown after today's
CHANGES_SHOWN = 10
CHANGE_LABELS = {
    "update": "modifiée",
    "cancel": "annulée",
    "create": "ajoutée",
    "replan": "replanifiée",
    "released": "retirée de votre planning",
}


@dataclass(frozen=True)
class PlanningChange:
    session: Session
    kind: str  # an audit action of ACTIONS, or "released"
    at: datetime

    @property
    def label(self) -> str:
        return CHANGE_LABELS[self.kind]


@dataclass
class TrainerHome:
    today: date
    today_sessions: list[Session]
    week_sessions: list[Session]  # the next WEEK_DAYS days, today excluded
    sheets: dict[int, AttendanceSheet]
    counts: dict[int, dict]  # marks per status of today's half-days
    to_finish: list[Session]
    to_finish_total: int
    running: Session | None  # the half-day whose self sign-in is open now
    changes: list[PlanningChange]  # unread, newest first
    changes_total: int
    seen_at: datetime | None  # when the trainer last marked their changes read
    statuses: ClassVar = MarkStatus  # what the day's tiles count

    @property
    def newest_change_at(self) -> datetime | None:
        """What "Marquer comme lus" marks read: nothing made after the page was shown."""
        return self.changes[0].at if self.changes else None


def unread_changes(trainer: User, now: datetime, limit: int = CHANGES_SHOWN) -> tuple[list[PlanningChange], int]:
    """Changes to the trainer's half-days still to come made after they last read them, newest first."""
    since = now - timedelta(days=UNREAD_DAYS)
    if trainer.planning_seen_at is not None and trainer.planning_seen_at > since:
        since = trainer.planning_seen_at
    today = now.astimezone(PARIS).date()
    events = (
        sa.select(AuditEvent.entity_id, AuditEvent.action, sa.func.max(AuditEvent.at).label("at"))
        .join(Session, Session.id == AuditEvent.entity_id)
        .where(
            AuditEvent.entity == "session",
            AuditEvent.action.in_(ACTIONS),
            AuditEvent.at > since,
            # Their own edits are not news to them (the actor is None for imports and scheduled jobs).
            sa.or_(AuditEvent.actor_id.is_(None), AuditEvent.actor_id != trainer.id),
            Session.trainer_id == trainer.id,
            Session.date >= today,
        )
        .group_by(AuditEvent.entity_id, AuditEvent.action)
    )
    releases = (
        sa.select(SessionRelease.session_id, sa.literal("released"), SessionRelease.released_at)
        .join(Session, Session.id == SessionRelease.session_id)
        .where(SessionRelease.trainer_id == trainer.id, SessionRelease.released_at > since, Session.date >= today)
    )
    both = sa.union_all(events, releases).subquery()
    rows = db.session.execute(sa.select(both).order_by(both.c.at.desc()).limit(limit + 1)).all()
    total = len(rows)
    if total > limit:
        total = db.session.scalar(sa.select(sa.func.count()).select_from(both))
        rows = rows[:limit]
    loaded = {
        s.id: s
        for s in db.session.scalars(
            sa.select(Session).where(Session.id.in_({r[0] for r in rows})).options(selectinload(Session.cohort))
        )
    }
    return [PlanningChange(loaded[sid], kind, at) for sid, kind, at in rows], total


def _running(sessions: list[Session], now: datetime) -> Session | None:
    for session in sessions:
        if session_start(session) - OPENS_BEFORE <= now <= session_end(session):
            return session
    return None


def trainer_home(trainer: User, now: datetime | None = None) -> TrainerHome:
    now = now or datetime.now(UTC)
    today = now.astimezone(PARIS).date()
    week = [
        s
        for s in calendar_queries.trainer_sessions(trainer.id, today, today + timedelta(days=WEEK_DAYS))
        if s.status == SessionStatus.PLANNED
    ]
    today_sessions = [s for s in week if s.date == today]
    to_finish, to_finish_total = trainer_to_finish(trainer, now)
    changes, changes_total = unread_changes(trainer, now)
    return TrainerHome(
        today=today,
        today_sessions=today_sessions,
        week_sessions=[s for s in week if s.date > today],
        sheets=attendance_queries.sheets_by_session(s.id for s in today_sessions),
        counts=attendance_queries.mark_counts([s.id for s in today_sessions]),
        to_finish=to_finish,
        to_finish_total=to_finish_total,
        running=_running(today_sessions, now),
        changes=changes,
        changes_total=changes_total,
        seen_at=trainer.planning_seen_at,
    )


def mark_changes_read(trainer: User, up_to: datetime, now: datetime | None = None) -> None:
    """The trainer has read the changes made up to `up_to` (the newest one their page showed): one made while they
    were reading stays unread. The mark never moves back, nor past now."""
    up_to = min(up_to, now or datetime.now(UTC))
    if trainer.planning_seen_at is None or up_to > trainer.planning_seen_at:
        trainer.planning_seen_at = up_to
