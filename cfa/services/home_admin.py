"""The administration's home: what needs action, each counted in SQL and shown bounded, each pointing to the page
that acts on it: sheets never taken or never closed (signed), double bookings to come, cohorts whose plan lacks
hours, apprentices without a tutor, justifications waiting for a decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.models import Cohort, Enrolment, EnrolmentStatus, Programme, Session, SessionStatus
from cfa.services import conflicts
from cfa.services.attendance_followup import count_to_finish
from cfa.services.counting import count_rows
from cfa.services.dashboard import AdminSummary, admin_summary
from cfa.services.followup import apprenticeship_clause
from cfa.sqltime import minutes_of

SHOWN = 5


@dataclass(frozen=True)
class MissingHours:
    cohort: Cohort
    planned: int
    total: int

    @property
    def missing(self) -> int:
        return self.total - self.planned


@dataclass
class AdminHome:
    summary: AdminSummary
    sheets_to_finish: int
    conflicts: list[str]
    conflicts_total: int
    missing_hours: list[MissingHours]
    missing_hours_total: int
    without_tutor: list[Enrolment]
    without_tutor_total: int


def missing_hours(today: date):
    """Cohorts not over whose live half-days sum to less than their programme's hours (summed in SQL)."""
    planned = sa.func.coalesce(sa.func.sum(minutes_of(Session.start_time, Session.end_time)), 0)
    return (
        sa.select(Cohort, planned, Programme.total_minutes)
        .join(Programme, Programme.id == Cohort.programme_id)
        .outerjoin(Session, sa.and_(Session.cohort_id == Cohort.id, Session.status == SessionStatus.PLANNED))
        .where(Cohort.end_date >= today)
        .group_by(Cohort.id, Programme.total_minutes)
        .having(planned < Programme.total_minutes)
        .order_by(Cohort.start_date, Cohort.id)
    )


def without_tutor():
    """Running apprenticeship contracts with no tutor named: the law requires a maître d'apprentissage."""
    return (
        sa.select(Enrolment)
        .where(Enrolment.status == EnrolmentStatus.ACTIVE, Enrolment.tutor_id.is_(None), apprenticeship_clause())
        .order_by(Enrolment.contract_start, Enrolment.id)
    )


def admin_home(today: date, now: datetime | None = None) -> AdminHome:
    clashes, clashes_total = conflicts.upcoming_double_bookings(today, SHOWN)
    hours = missing_hours(today)
    untutored = without_tutor()
    return AdminHome(
        summary=admin_summary(),
        sheets_to_finish=count_to_finish(now),
        conflicts=conflicts.describe_conflicts(clashes),
        conflicts_total=clashes_total,
        missing_hours=[MissingHours(c, int(p), int(t)) for c, p, t in db.session.execute(hours.limit(SHOWN))],
        missing_hours_total=count_rows(hours),
        without_tutor=list(
            db.session.scalars(
                untutored.options(selectinload(Enrolment.apprentice), selectinload(Enrolment.cohort)).limit(SHOWN)
            )
        ),
        without_tutor_total=count_rows(untutored),
    )
