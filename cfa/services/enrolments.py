"""Finding the enrolments a person may see: an apprentice's own, a tutor's followed apprentices."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.models import Cohort, Enrolment, EnrolmentStatus, User
from cfa.services.permissions import followed_enrolments_clause


def enrolments_of(apprentice: User) -> list[Enrolment]:
    """The apprentice's enrolments, most recent first."""
    stmt = (
        sa.select(Enrolment)
        .where(Enrolment.apprentice_id == apprentice.id)
        .options(selectinload(Enrolment.cohort).selectinload(Cohort.programme))
        .order_by(Enrolment.contract_start.desc())
    )
    return list(db.session.scalars(stmt))


def current_enrolment(apprentice: User, on: date | None = None) -> Enrolment | None:
    """The enrolment that applies on a day: the active one covering it, else the most recent."""
    enrolments = enrolments_of(apprentice)
    if on is not None:
        for enrolment in enrolments:
            if enrolment.status == EnrolmentStatus.ACTIVE and enrolment.is_enrolled_on(on):
                return enrolment
    active = [e for e in enrolments if e.status == EnrolmentStatus.ACTIVE]
    return (active or enrolments or [None])[0]


def cohort_enrolments(cohort_id: int) -> list[Enrolment]:
    """A cohort's enrolments in roll-call order, with what rosters and documents print of them."""
    stmt = (
        sa.select(Enrolment)
        .where(Enrolment.cohort_id == cohort_id)
        .options(
            selectinload(Enrolment.apprentice),
            selectinload(Enrolment.tutor),
            selectinload(Enrolment.employer),
            selectinload(Enrolment.cohort).selectinload(Cohort.programme),
        )
    )
    return sorted(
        db.session.scalars(stmt), key=lambda e: (e.apprentice.last_name.lower(), e.apprentice.first_name.lower())
    )


def followed_enrolments(tutor: User, include_past: bool = True) -> list[Enrolment]:
    """The enrolments a tutor follows (theirs and their employer's), apprentices loaded."""
    stmt = (
        sa.select(Enrolment)
        .where(followed_enrolments_clause(tutor))
        .options(
            selectinload(Enrolment.apprentice),
            selectinload(Enrolment.cohort).selectinload(Cohort.programme),
            selectinload(Enrolment.cohort).selectinload(Cohort.centre),
            selectinload(Enrolment.tutor),
        )
        .join(User, Enrolment.apprentice_id == User.id)
        .order_by(Enrolment.status != EnrolmentStatus.ACTIVE, User.last_name, User.first_name)
    )
    if not include_past:
        stmt = stmt.where(Enrolment.status == EnrolmentStatus.ACTIVE)
    return list(db.session.scalars(stmt))
