"""Attendance rates: minutes attended over minutes scheduled, lateness and early leaves deducted,
justified and unjustified absences counted apart (what OPCOs pay on, and what Qualiopi indicator 12 follows)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from cfa.extensions import db
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
from cfa.models.planning import minutes_between


@dataclass
class Rate:
    scheduled: int = 0  # minutes of sessions whose attendance was taken
    attended: int = 0
    late: int = 0
    left_early: int = 0
    absent_justified: int = 0
    absent_unjustified: int = 0
    half_days: int = 0
    absences: int = 0  # half-days absent
    lateness: int = 0  # half-days late or left early

    @property
    def value(self) -> float | None:
        return self.attended / self.scheduled if self.scheduled else None

    def add(self, other: Rate) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def mark_minutes(status: MarkStatus, session_minutes: int, late: int, early: int, justified: bool) -> Rate:
    """What one mark adds to a rate."""
    rate = Rate(scheduled=session_minutes, half_days=1)
    if status == MarkStatus.ABSENT:
        rate.absences = 1
        if justified:
            rate.absent_justified = session_minutes
        else:
            rate.absent_unjustified = session_minutes
        return rate
    rate.late, rate.left_early = late, early
    rate.lateness = 1 if late or early else 0
    rate.attended = max(0, session_minutes - late - early)
    return rate


def rates_by_enrolment(
    enrolment_ids: Iterable[int], start: date | None = None, end: date | None = None
) -> dict[int, Rate]:
    """One query for any number of apprentices; only live sessions whose attendance was taken count."""
    ids = list(enrolment_ids)
    rates = {eid: Rate() for eid in ids}
    if not ids:
        return rates
    stmt = (
        sa.select(
            AttendanceMark.enrolment_id, AttendanceMark.status, AttendanceMark.minutes_late,
            AttendanceMark.minutes_left_early, Session.start_time, Session.end_time, Justification.status,
        )
        .join(Session, AttendanceMark.session_id == Session.id)
        .outerjoin(Justification, AttendanceMark.justification_id == Justification.id)
        .where(AttendanceMark.enrolment_id.in_(ids), Session.status == SessionStatus.PLANNED)
    )  # fmt: skip
    if start is not None:
        stmt = stmt.where(Session.date >= start)
    if end is not None:
        stmt = stmt.where(Session.date <= end)
    for eid, status, late, early, s_start, s_end, justification in db.session.execute(stmt):
        justified = justification == JustificationStatus.ACCEPTED
        rates[eid].add(mark_minutes(status, minutes_between(s_start, s_end), late, early, justified))
    return rates


def rates_by_cohort(cohort_ids: Iterable[int]) -> tuple[dict[int, Rate], dict[int, int]]:
    """Each cohort's summed rate and its number of active apprentices (two queries)."""
    ids = list(cohort_ids)
    members = list(
        db.session.execute(
            sa.select(Enrolment.id, Enrolment.cohort_id, Enrolment.status).where(Enrolment.cohort_id.in_(ids))
        )
    )
    per_enrolment = rates_by_enrolment(m.id for m in members)
    totals, active = {cid: Rate() for cid in ids}, dict.fromkeys(ids, 0)
    for member in members:
        totals[member.cohort_id].add(per_enrolment[member.id])
        active[member.cohort_id] += member.status == EnrolmentStatus.ACTIVE
    return totals, active
