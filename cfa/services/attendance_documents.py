"""Gathering what the attendance documents print: sheets of a session or a week, periods of an apprentice."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import AttendanceMark, AttendanceSheet, Enrolment, Session, SessionStatus
from cfa.renderers.pdf.attendance_sheet import SheetPage
from cfa.renderers.pdf.certificat_realisation import Period
from cfa.services.attendance_rates import rates_by_enrolment
from cfa.services.enrolments import cohort_enrolments
from cfa.services.planning import session_details


def sheet_pages(sessions: list[Session]) -> list[SheetPage]:
    """One page per session: the roster of its date with each mark (three queries for the lot)."""
    ids = [s.id for s in sessions]
    sheets = {
        s.session_id: s
        for s in db.session.scalars(sa.select(AttendanceSheet).where(AttendanceSheet.session_id.in_(ids)))
    }
    marks: dict[tuple[int, int], AttendanceMark] = {
        (m.session_id, m.enrolment_id): m
        for m in db.session.scalars(sa.select(AttendanceMark).where(AttendanceMark.session_id.in_(ids)))
    }
    rosters: dict[int, list[Enrolment]] = {}
    pages = []
    for session in sessions:
        if session.cohort_id not in rosters:
            rosters[session.cohort_id] = cohort_enrolments(session.cohort_id)
        enrolled = [e for e in rosters[session.cohort_id] if e.is_enrolled_on(session.date)]
        sheet = sheets.get(session.id)
        pages.append(
            SheetPage(
                session=session,
                rows=[(e, marks.get((session.id, e.id))) for e in enrolled],
                trainer_signature=sheet.trainer_signature if sheet else None,
                trainer_signed_at=sheet.trainer_signed_at if sheet else None,
                closed=bool(sheet and sheet.closed_at),
            )
        )
    return pages


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


def zip_of(files: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    return buffer.getvalue()
