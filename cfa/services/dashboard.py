"""Figures for the administration's home page."""

from dataclasses import dataclass

import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import Cohort, Employer, Enrolment, EnrolmentStatus, Role, User, UserRole


@dataclass(frozen=True)
class AdminSummary:
    active_enrolments: int
    cohorts: int
    employers: int
    trainers: int


def admin_summary() -> AdminSummary:
    def count(stmt) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))

    return AdminSummary(
        active_enrolments=count(sa.select(Enrolment.id).where(Enrolment.status == EnrolmentStatus.ACTIVE)),
        cohorts=count(sa.select(Cohort.id)),
        employers=count(sa.select(Employer.id).where(Employer.active)),
        trainers=count(sa.select(User.id).join(UserRole).where(UserRole.role == Role.TRAINER, User.active)),
    )
