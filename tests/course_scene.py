"""A short-course session as the document tests need it: a training action, its half-days, its trainees."""

import itertools
from datetime import date

import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import AttendanceSheet, HalfDay, MarkStatus
from tests import factories as f

MONDAY = date(2025, 10, 6)
_NUMBERS = itertools.count(1)


def run(intra: bool = False, **kw):
    """A two-day session (four half-days) of a 14-hour action, at the client's site when intra-company."""
    course = f.ShortCourseFactory(title="Gérer les situations de tension", total_minutes=14 * 60, price_cents=45000)
    client = f.EmployerFactory(name="Ville de Rennes", address="Place de la Mairie", city="Rennes") if intra else None
    cohort = f.ShortCourseRunFactory(
        programme=course,
        client=client,
        start_date=MONDAY,
        end_date=date(2025, 10, 7),
        place="Maison de quartier Maurepas" if intra else None,
        price_cents=180000 if intra else None,
        **kw,
    )
    trainer = f.UserFactory.trainer(first_name="Claire", last_name="Formatrice")
    sessions = [
        f.SessionFactory(cohort=cohort, date=day, half_day=half, trainer=trainer)
        for day in (MONDAY, date(2025, 10, 7))
        for half in (HalfDay.AM, HalfDay.PM)
    ]
    return cohort, sessions


def trainee(cohort, employer=None, email: str | None = "stagiaire", account: bool = False, **kw):
    """A trainee of the session: an employee of `employer`, or a person on their own when it is None; without an
    account unless asked (then they log in with the tests' password)."""
    person = f.UserFactory(
        roles=[f.m.Role.LEARNER],
        employer=employer,
        email=None if email is None else f"{email}{next(_NUMBERS)}@exemple.test",
        password_hash=f._TEST_HASH if account else None,
        **kw,
    )
    return f.TraineeEnrolmentFactory(cohort=cohort, apprentice=person, employer=employer)


def attend(sessions, enrolment, late: int = 0, early: int = 0):
    """The trainee signed every half-day, `late` and `early` minutes missed on the first one."""
    for index, session in enumerate(sessions):
        sheet = session_sheet(session)
        f.AttendanceMarkFactory(
            sheet=sheet,
            enrolment=enrolment,
            status=MarkStatus.LATE if index == 0 and late else MarkStatus.PRESENT,
            minutes_late=late if index == 0 else 0,
            minutes_left_early=early if index == 0 else 0,
        )


def session_sheet(session):
    return db.session.scalar(sa.select(AttendanceSheet).filter_by(session_id=session.id)) or f.AttendanceSheetFactory(
        session=session
    )
