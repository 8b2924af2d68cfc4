"""The CFA's own figure: the share of new mediators who completed the 6-day entry course ("socle") by a date.

A new mediator of a period: a person whose job as a mediator (`User.mediator_since`) began in it. They completed
the socle by the date when one of their enrolments in a run of an entry-course programme ended on or before it,
and either was closed as completed, or was never interrupted and shows at least one half-day attended (an
enrolment the CFA has not closed yet but that the person followed to its end).
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.models import AttendanceMark, Cohort, Enrolment, EnrolmentStatus, MarkStatus, Programme, User
from cfa.services.assessment_rates import Rate


@dataclass(frozen=True)
class SocleCompletion:
    start: date
    end: date
    as_of: date
    rate: Rate  # completed / new mediators
    not_completed: list[User]  # whom the CFA still has to convene


def _completed_clause(as_of: date):
    """SQL: the person in `User.id` completed an entry course by `as_of`."""
    attended = sa.exists().where(
        AttendanceMark.enrolment_id == Enrolment.id,
        AttendanceMark.status.in_((MarkStatus.PRESENT, MarkStatus.LATE, MarkStatus.LEFT_EARLY)),
    )
    return sa.exists().where(
        Enrolment.apprentice_id == User.id,
        Enrolment.cohort_id == Cohort.id,
        Cohort.programme_id == Programme.id,
        Programme.entry_course,
        Enrolment.contract_end <= as_of,
        sa.or_(
            Enrolment.status == EnrolmentStatus.COMPLETED,
            sa.and_(Enrolment.status == EnrolmentStatus.ACTIVE, attended),
        ),
    )


def socle_completion(start: date, end: date, as_of: date) -> SocleCompletion:
    """New mediators whose job began between `start` and `end` (included), and who completed the socle by
    `as_of`: one counting query, one query for the people still to convene."""
    if end < start:
        raise ValueError("La fin de la période précède son début.")
    newcomer = User.mediator_since.between(start, end)
    completed = _completed_clause(as_of)
    counts = db.session.execute(
        sa.select(sa.func.count(User.id), sa.func.count(User.id).filter(completed)).where(newcomer)
    ).one()
    missing = db.session.scalars(
        sa.select(User)
        .where(newcomer, ~completed)
        .options(selectinload(User.employer))
        .order_by(User.last_name, User.first_name, User.id)
    ).all()
    return SocleCompletion(start, end, as_of, Rate(counts[1], counts[0]), list(missing))


def year_completion(year: int, as_of: date | None = None) -> SocleCompletion:
    """The published figure: new mediators of the year, socle completed by 31 December unless told otherwise."""
    return socle_completion(date(year, 1, 1), date(year, 12, 31), as_of or date(year, 12, 31))
