"""Demo step 2: every apprenticeship cohort planned by the planner to its programme's hours (a shortfall, if the
contract's dates leave one, is shown on the cohort's plan as it would be for a real one). The short courses' runs
are planned by hand (cfa/demo/short_courses.py)."""

import random

import sqlalchemy as sa

from cfa.demo.calendar import DemoCalendar
from cfa.extensions import db
from cfa.models import Cohort, Programme, ProgrammeKind
from cfa.services import replanning


def seed_planning(rng: random.Random, calendar: DemoCalendar) -> None:
    cohorts = db.session.scalars(
        sa.select(Cohort)
        .join(Programme)
        .where(Cohort.planned_at.is_(None), Programme.kind == ProgrammeKind.APPRENTICESHIP)
        .order_by(Cohort.start_date, Cohort.name)
    )
    for cohort in cohorts:
        # Planned as the admin did when the cohort opened, so that its past weeks hold sessions too.
        result = replanning.preview(cohort, today=cohort.start_date)
        replanning.apply(result, actor=None)
    db.session.commit()
