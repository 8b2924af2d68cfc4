"""Lists of cohorts at a network's size: forty centres over years of history.

A list shows one year's cohorts by default (those running at some point of it), narrowed by centre, and pages
through them; what it counts (apprentices, planned minutes) is summed by the database for the page's cohorts only.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import Cohort, Enrolment, EnrolmentStatus


def running_during(year: int):
    """SQL: the cohort runs at some point of the calendar year."""
    return sa.and_(Cohort.start_date <= date(year, 12, 31), Cohort.end_date >= date(year, 1, 1))


def narrowed(stmt, year: int | None = None, centre_id: int | None = None):
    """The statement limited to a year's cohorts and a centre's (None: no limit on that side)."""
    if year is not None:
        stmt = stmt.where(running_during(year))
    if centre_id is not None:
        stmt = stmt.where(Cohort.centre_id == centre_id)
    return stmt


def active_enrolments():
    """SQL, correlated with the cohort of the outer query: how many of its apprentices are still enrolled."""
    return (
        sa.select(sa.func.count(Enrolment.id))
        .where(Enrolment.cohort_id == Cohort.id, Enrolment.status == EnrolmentStatus.ACTIVE)
        .correlate(Cohort)
        .scalar_subquery()
    )


def years() -> list[int]:
    """The years a filter offers, newest first: from the first cohort's start to the last one's end (one row)."""
    first, last = db.session.execute(sa.select(sa.func.min(Cohort.start_date), sa.func.max(Cohort.end_date))).one()
    if first is None:
        return []
    return list(range(last.year, first.year - 1, -1))
