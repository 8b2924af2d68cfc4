"""Gathering what the attendance documents print: sheets of a session or a week, periods of an apprentice."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.models import (
    AttendanceMark,
    AttendanceSheet,
    Enrolment,
    Justification,
    JustificationStatus,
    MarkStatus,
    Session,
    SessionStatus,
)
from cfa.services import attendance_queries
from cfa.services.attendance_rates import Rate, rates_by_enrolment
from cfa.services.calendar_queries import session_details
from cfa.services.enrolments import cohort_enrolments


@dataclass
class SheetPage:
    """One feuille d'émargement as printed (built here, drawn by renderers/pdf/attendance_sheet.py)."""

    session: Session
    rows: list[tuple[Enrolment, AttendanceMark | None]]
    trainer_signature: bytes | None
    trainer_signed_at: datetime | None
    closed: bool
    early_close_reason: str | None = None
    corrected: dict[int, datetime] = field(default_factory=dict)  # mark id -> its last correction
    # enrolment id -> how the absence stands (the status of the justification covering it, if any)
    justifications: dict[int, JustificationStatus | None] = field(default_factory=dict)


@dataclass
class Period:
    """An apprentice's attendance over dates, for a certificat de réalisation or an attestation d'assiduité."""

    enrolment: Enrolment
    start: date
    end: date
    rate: Rate


def sheet_pages(sessions: list[Session]) -> list[SheetPage]:
    """One page per session: the roster of its date (frozen at closing for a closed sheet) with each mark, how
    each absence stands and which lines were corrected (a fixed number of queries for the lot)."""
    ids = [s.id for s in sessions]
    sheets = {
        s.session_id: s
        for s in db.session.scalars(sa.select(AttendanceSheet).where(AttendanceSheet.session_id.in_(ids)))
    }
    marks: dict[tuple[int, int], AttendanceMark] = {
        (m.session_id, m.enrolment_id): m
        for m in db.session.scalars(
            sa.select(AttendanceMark)
            .where(AttendanceMark.session_id.in_(ids))
            .options(selectinload(AttendanceMark.justification))
        )
    }
    corrected = attendance_queries.last_corrections(m.id for m in marks.values())
    standing = _absence_standing([m for m in marks.values() if m.status == MarkStatus.ABSENT], sessions)
    rosters: dict[int, list[Enrolment]] = {}
    pages = []
    for session in sessions:
        if session.cohort_id not in rosters:
            rosters[session.cohort_id] = cohort_enrolments(session.cohort_id)
        sheet = sheets.get(session.id)
        closed = bool(sheet and sheet.closed_at)
        if closed:  # the learners it held when it closed, whoever enrolled since
            enrolled = [e for e in rosters[session.cohort_id] if (session.id, e.id) in marks]
        else:
            enrolled = [e for e in rosters[session.cohort_id] if e.is_enrolled_on(session.date)]
        pages.append(
            SheetPage(
                session=session,
                rows=[(e, marks.get((session.id, e.id))) for e in enrolled],
                trainer_signature=sheet.trainer_signature if sheet else None,
                trainer_signed_at=sheet.trainer_signed_at if sheet else None,
                closed=closed,
                early_close_reason=sheet.early_close_reason if sheet else None,
                corrected=corrected,
                justifications=standing.get(session.id, {}),
            )
        )
    return pages


def _absence_standing(absences: list[AttendanceMark], sessions: list[Session]) -> dict[int, dict]:
    """Per session and absent enrolment, the status of the justification that covers the absence: the one linked
    to the mark, else one whose span covers the day (accepted wins over pending over refused)."""
    if not absences:
        return {}
    days = {s.id: s.date for s in sessions}
    stmt = sa.select(Justification).where(
        Justification.enrolment_id.in_({m.enrolment_id for m in absences}),
        Justification.start_date <= max(days.values()),
        Justification.end_date >= min(days.values()),
    )
    spans: dict[int, list[Justification]] = {}
    for justification in db.session.scalars(stmt):
        spans.setdefault(justification.enrolment_id, []).append(justification)
    rank = [JustificationStatus.ACCEPTED, JustificationStatus.PENDING, JustificationStatus.REFUSED]
    standing: dict[int, dict] = {}
    for mark in absences:
        day = days[mark.session_id]
        found = {j.status for j in spans.get(mark.enrolment_id, []) if j.start_date <= day <= j.end_date}
        if mark.justification is not None:
            found.add(mark.justification.status)
        standing.setdefault(mark.session_id, {})[mark.enrolment_id] = next((r for r in rank if r in found), None)
    return standing


def week_sessions(cohort_id: int, monday: date) -> list[Session]:
    stmt = (
        sa.select(Session)
        .where(
            Session.cohort_id == cohort_id,
            Session.status == SessionStatus.PLANNED,
            Session.date.between(monday, monday + timedelta(days=6)),
        )
        .options(*session_details())
        .order_by(Session.date, Session.start_time)
    )
    return list(db.session.scalars(stmt))


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def periods_for(enrolments: list[Enrolment], start: date, end: date) -> list[Period]:
    """Each apprentice's period, clipped to their contract, with the hours their marks prove."""
    rates = rates_by_enrolment([e.id for e in enrolments], start, end)
    periods = []
    for enrolment in enrolments:
        first, last = max(start, enrolment.contract_start), min(end, enrolment.last_day)
        if first <= last:
            periods.append(Period(enrolment, first, last, rates[enrolment.id]))
    return periods
