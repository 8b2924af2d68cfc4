"""Figures for the administration's home page."""

from dataclasses import dataclass

import sqlalchemy as sa

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.models import (
    AttendanceSheet,
    Cohort,
    Employer,
    Enrolment,
    EnrolmentStatus,
    Justification,
    JustificationStatus,
    Role,
    Session,
    SessionStatus,
    User,
    UserRole,
)


@dataclass(frozen=True)
class AdminSummary:
    active_enrolments: int
    cohorts: int
    employers: int
    trainers: int
    pending_justifications: int
    sessions_today: int
    sheets_closed_today: int


def admin_summary() -> AdminSummary:
    def count(stmt) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))

    today_sessions = sa.select(Session.id).where(Session.date == today_paris(), Session.status == SessionStatus.PLANNED)

    return AdminSummary(
        active_enrolments=count(sa.select(Enrolment.id).where(Enrolment.status == EnrolmentStatus.ACTIVE)),
        cohorts=count(sa.select(Cohort.id)),
        employers=count(sa.select(Employer.id).where(Employer.active)),
        trainers=count(sa.select(User.id).join(UserRole).where(UserRole.role == Role.TRAINER, User.active)),
        pending_justifications=count(
            sa.select(Justification.id).where(Justification.status == JustificationStatus.PENDING)
        ),
        sessions_today=count(today_sessions),
        sheets_closed_today=count(
            sa.select(AttendanceSheet.id).where(
                AttendanceSheet.session_id.in_(today_sessions), AttendanceSheet.closed_at.is_not(None)
            )
        ),
    )
