"""Absences and lateness of apprentices, as the apprentice, their tutor and the CFA read them."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.models import AttendanceMark, Enrolment, Justification, MarkStatus, Session, SessionStatus


def notable_marks(enrolment_ids, start: date | None = None) -> list[AttendanceMark]:
    """Absences, late arrivals and early leaves, newest first, with their session and justification."""
    ids = list(enrolment_ids)
    if not ids:
        return []
    stmt = (
        sa.select(AttendanceMark)
        .join(Session, AttendanceMark.session_id == Session.id)
        .where(
            AttendanceMark.enrolment_id.in_(ids),
            AttendanceMark.status != MarkStatus.PRESENT,
            Session.status == SessionStatus.PLANNED,
        )
        .options(
            selectinload(AttendanceMark.session).selectinload(Session.module),
            selectinload(AttendanceMark.justification),
            selectinload(AttendanceMark.enrolment).selectinload(Enrolment.apprentice),
        )
        .order_by(Session.date.desc(), Session.start_time.desc())
    )
    if start is not None:
        stmt = stmt.where(Session.date >= start)
    return list(db.session.scalars(stmt))


def justifications_of(enrolment_ids) -> list[Justification]:
    ids = list(enrolment_ids)
    if not ids:
        return []
    stmt = sa.select(Justification).where(Justification.enrolment_id.in_(ids)).order_by(Justification.start_date.desc())
    return list(db.session.scalars(stmt))
