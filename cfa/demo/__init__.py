"""The demo CFA built by `flask seed-demo`: realistic, deterministic for a given day, and idempotent."""

import random
from datetime import date

import sqlalchemy as sa

from cfa.demo import data
from cfa.demo.assessment import seed_assessment
from cfa.demo.attendance import seed_attendance
from cfa.demo.calendar import DemoCalendar, build_calendar
from cfa.demo.contracts import seed_contracts
from cfa.demo.followup import seed_followup
from cfa.demo.foundation import seed_foundation
from cfa.demo.integrations import seed_integrations
from cfa.demo.planning import seed_planning
from cfa.demo.quality import seed_quality
from cfa.demo.short_courses import seed_short_courses
from cfa.demo.surveys import seed_surveys
from cfa.extensions import db
from cfa.formatting import long_date, today_paris
from cfa.models import AttendanceSheet, Cohort, Enrolment, Session, SessionStatus, User

# Each step takes the random generator and the demo's calendar, and leaves what exists alone, so that running
# twice adds nothing.
STEPS = [
    seed_foundation,
    seed_planning,
    seed_attendance,
    seed_assessment,
    seed_short_courses,
    seed_surveys,
    seed_quality,
    seed_followup,
    seed_integrations,
    seed_contracts,
]


def seed_demo(today: date | None = None) -> DemoCalendar:
    """Build (or complete) the demo around `today` (by default the real date in Europe/Paris).

    A demo built on an earlier day keeps its running year: completing it never adds a second one.
    """
    calendar = build_calendar(today or today_paris(), running_start_in_database())
    rng = random.Random(2025)
    for step in STEPS:
        step(rng, calendar)
    return calendar


def running_start_in_database() -> date | None:
    """The start of the running year of a demo built before: the demo apprentice's cohort's."""
    return db.session.scalar(
        sa.select(Cohort.start_date)
        .join(Enrolment, Enrolment.cohort_id == Cohort.id)
        .join(User, User.id == Enrolment.apprentice_id)
        .where(User.email == data.DEMO_APPRENTICE)
        .order_by(Cohort.start_date.desc())
        .limit(1)
    )


def demo_day_summary(calendar: DemoCalendar) -> str:
    """What the demo trainer has to take on the demo's day, or how to rebuild a demo built around another date."""
    to_take = db.session.scalar(
        sa.select(sa.func.count(Session.id))
        .join(User, User.id == Session.trainer_id)
        .outerjoin(AttendanceSheet, AttendanceSheet.session_id == Session.id)
        .where(
            User.email == data.DEMO_TRAINER,
            Session.date == calendar.demo_day,
            Session.status == SessionStatus.PLANNED,
            AttendanceSheet.closed_at.is_(None),
        )
    )
    day = long_date(calendar.demo_day)
    if to_take:
        return f"Démo prête : {data.DEMO_TRAINER} a {to_take} demi-journée(s) à émarger le {day}."
    return (
        f"Cette démo a été construite autour d'une autre date : {data.DEMO_TRAINER} n'a rien à émarger le {day}. "
        "Pour la reconstruire autour d'aujourd'hui (base SQLite par défaut) : make demo-reset."
    )
