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
    EmployerPeriod,
    Enrolment,
    Justification,
    JustificationStatus,
    MarkStatus,
    Session,
    SessionStatus,
    SignatureMethod,
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
    trainer_signature_method: SignatureMethod | None = None
    early_close_reason: str | None = None
    corrected: dict[int, datetime] = field(default_factory=dict)  # mark id -> its last correction
    # enrolment id -> how the absence stands (the status of the justification covering it, if any)
    justifications: dict[int, JustificationStatus | None] = field(default_factory=dict)


@dataclass
class Period:
    """An apprentice's attendance over dates, for a certificat de réalisation or an attestation d'assiduité.

    `by_contract`: the dates are one contract's (`contract`), or months without employer (`contract` None); else
    the enrolment's current employer prints, with `employers` listing each contract's employer and dates over
    the period when there were several."""

    enrolment: Enrolment
    start: date
    end: date
    rate: Rate
    contract: EmployerPeriod | None = None
    by_contract: bool = False
    employers: list[tuple[str, date, date]] = field(default_factory=list)

    @property
    def employer_name(self) -> str | None:
        if self.by_contract:
            return self.contract.employer.name if self.contract else None
        return self.enrolment.employer.name if self.enrolment.employer else None


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
                trainer_signature_method=sheet.trainer_signature_method if sheet else None,
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


def periods_for(enrolments: list[Enrolment], start: date, end: date, by_contract: bool = False) -> list[Period]:
    """Each apprentice's period, clipped to their enrolment, with the hours their marks prove; `by_contract`: one
    period per contract (and per stretch without employer) within the dates, since each contract has its funder.
    One rates query per distinct span: a single one unless some apprentice changed employer within the dates."""
    contracts = _contracts_of([e.id for e in enrolments])
    spans: list[tuple[Enrolment, date, date, EmployerPeriod | None, bool]] = []
    for enrolment in enrolments:
        first, last = max(start, enrolment.contract_start), min(end, enrolment.last_day)
        if first > last:
            continue
        if by_contract and contracts.get(enrolment.id):
            spans += [(enrolment, a, b, c, True) for a, b, c in _split(contracts[enrolment.id], first, last)]
        else:
            spans.append((enrolment, first, last, None, False))
    rates: dict[tuple[date, date], dict[int, Rate]] = {}
    for first, last in {(a, b) for _, a, b, _, _ in spans}:
        ids = {e.id for e, a, b, _, _ in spans if (a, b) == (first, last)}
        rates[(first, last)] = rates_by_enrolment(ids, first, last)
    periods = []
    for enrolment, first, last, contract, split in spans:
        period = Period(enrolment, first, last, rates[(first, last)][enrolment.id], contract, split)
        if not split:
            period.employers = [
                (c.employer.name, max(first, c.starts_on), min(last, c.last_day))
                for c in contracts.get(enrolment.id, [])
                if c.starts_on <= last and c.last_day >= first
            ]
        periods.append(period)
    return periods


def _contracts_of(enrolment_ids: list[int]) -> dict[int, list[EmployerPeriod]]:
    found: dict[int, list[EmployerPeriod]] = {}
    stmt = (
        sa.select(EmployerPeriod)
        .where(EmployerPeriod.enrolment_id.in_(enrolment_ids))
        .options(selectinload(EmployerPeriod.employer))
        .order_by(EmployerPeriod.starts_on)
    )
    for contract in db.session.scalars(stmt):
        found.setdefault(contract.enrolment_id, []).append(contract)
    return found


def _split(contracts: list[EmployerPeriod], first: date, last: date):
    """The spans of [first, last] under each contract, and the stretches between them (without employer)."""
    day = first
    for contract in contracts:
        if contract.last_day < day or contract.starts_on > last:
            continue
        if contract.starts_on > day:
            yield day, contract.starts_on - timedelta(days=1), None
        yield max(day, contract.starts_on), min(last, contract.last_day), contract
        day = contract.last_day + timedelta(days=1)
    if day <= last:
        yield day, last, None
