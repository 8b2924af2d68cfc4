"""Reading sheets back for pages and documents: a day's sessions, their sheets and counts, the corrections made,
the learners enrolled after a sheet closed (listed apart, never added to a frozen sheet)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.models import AttendanceMark, AttendanceSheet, AuditEvent, Enrolment, MarkStatus, Session, SessionStatus, User
from cfa.services.calendar_queries import session_details


def enrolled_after_closing(session_ids) -> dict[int, list[Enrolment]]:
    """Per closed sheet, the learners enrolled on its date who are not on it: enrolled after it closed (often
    with a contract start in the past). A closed sheet is never changed for them; the follow-up lists them apart."""
    ids = list(session_ids)
    if not ids:
        return {}
    on_sheet = (
        sa.select(AttendanceMark.id)
        .where(AttendanceMark.sheet_id == AttendanceSheet.id, AttendanceMark.enrolment_id == Enrolment.id)
        .exists()
    )
    stmt = (
        sa.select(Session.id, Enrolment)
        .join(AttendanceSheet, AttendanceSheet.session_id == Session.id)
        .join(Enrolment, Enrolment.cohort_id == Session.cohort_id)
        .where(
            Session.id.in_(ids),
            AttendanceSheet.closed_at.is_not(None),
            Enrolment.contract_start <= Session.date,
            sa.func.coalesce(Enrolment.interrupted_on, Enrolment.contract_end) >= Session.date,
            ~on_sheet,
        )
        .options(selectinload(Enrolment.apprentice))
    )
    found: dict[int, list[Enrolment]] = {}
    for session_id, enrolment in db.session.execute(stmt):
        found.setdefault(session_id, []).append(enrolment)
    for enrolments in found.values():
        enrolments.sort(key=lambda e: (e.apprentice.last_name.lower(), e.apprentice.first_name.lower()))
    return found


def last_corrections(mark_ids) -> dict[int, datetime]:
    """When each mark was last corrected (one query), for the sheet and its PDF to point to the history."""
    ids = list(mark_ids)
    if not ids:
        return {}
    stmt = (
        sa.select(AuditEvent.entity_id, sa.func.max(AuditEvent.at))
        .where(AuditEvent.entity == "attendance_mark", AuditEvent.action == "correct", AuditEvent.entity_id.in_(ids))
        .group_by(AuditEvent.entity_id)
    )
    return dict(db.session.execute(stmt).tuples().all())


def sessions_on(day: date, trainer: User | None = None) -> list[Session]:
    """The day's live sessions: a trainer's own, or all of them."""
    stmt = (
        sa.select(Session)
        .where(Session.date == day, Session.status == SessionStatus.PLANNED)
        .options(*session_details())
        .order_by(Session.start_time, Session.cohort_id)
    )
    if trainer is not None:
        stmt = stmt.where(Session.trainer_id == trainer.id)
    return list(db.session.scalars(stmt))


def sheets_by_session(session_ids) -> dict[int, AttendanceSheet]:
    ids = list(session_ids)
    if not ids:
        return {}
    stmt = sa.select(AttendanceSheet).where(AttendanceSheet.session_id.in_(ids))
    return {s.session_id: s for s in db.session.scalars(stmt)}


def mark_counts(session_ids) -> dict[int, dict[MarkStatus, int]]:
    """Per session, how many marks of each status (one query)."""
    ids = list(session_ids)
    counts: dict[int, dict[MarkStatus, int]] = {}
    if not ids:
        return counts
    stmt = (
        sa.select(AttendanceMark.session_id, AttendanceMark.status, sa.func.count())
        .where(AttendanceMark.session_id.in_(ids))
        .group_by(AttendanceMark.session_id, AttendanceMark.status)
    )
    for session_id, status, number in db.session.execute(stmt):
        counts.setdefault(session_id, {})[status] = number
    return counts
