"""The demo's contract files: every apprenticeship contract opened with its OPCO, the ruptures of the finished
year recorded with their cause (one followed by months without employer, ending with the apprentice leaving the
CFA), a rupture followed by a new employer in the running year, and the OPCO's advances received."""

import random
from datetime import timedelta

import sqlalchemy as sa

from cfa.demo import data
from cfa.demo.calendar import DemoCalendar
from cfa.extensions import db
from cfa.models import (
    Cohort,
    Employer,
    EmployerPeriod,
    Enrolment,
    EnrolmentStatus,
    InterruptionKind,
    MilestoneKind,
    Programme,
    ProgrammeKind,
    Role,
    RuptureCause,
    RuptureParty,
    SearchOutcome,
    User,
    UserRole,
)
from cfa.services import contracts

TRIAL_DAYS = 45  # the trial period of an apprenticeship contract (Code du travail, L.6222-18)
ADVANCE_CENTS = 360_000  # 40 % of a 9 000 € yearly level of funding (the demo's, not a real NPEC)


def seed_contracts(rng: random.Random, calendar: DemoCalendar) -> None:
    enrolments = db.session.scalars(
        sa.select(Enrolment)
        .join(Cohort)
        .join(Programme)
        .where(Programme.kind == ProgrammeKind.APPRENTICESHIP)
        .order_by(Enrolment.id)
    ).all()
    for enrolment in enrolments:
        if not enrolment.employer_periods:
            contracts.sync_running_period(enrolment)
    db.session.flush()
    if any(e.without_employer_since for e in enrolments):
        return  # built before: the stories are told once
    for enrolment in enrolments:
        if enrolment.interruption_kind == InterruptionKind.RUPTURE:
            _left_after_search(enrolment)
    _new_employer(rng, calendar, enrolments)
    _advances(calendar, enrolments)
    db.session.flush()


def _left_after_search(enrolment: Enrolment) -> None:
    """A rupture of the finished year: the contract broke halfway to the day the apprentice left, who spent the
    months between at the CFA without employer (their marks are those of the sheets already taken)."""
    left_on = enrolment.interrupted_on
    broken_on = enrolment.contract_start + (left_on - enrolment.contract_start) // 2
    [period] = enrolment.employer_periods
    early = (broken_on - period.starts_on).days <= TRIAL_DAYS
    period.ended_on, period.ended_by = broken_on, RuptureParty.APPRENTICE
    period.end_cause = RuptureCause.TRIAL_PERIOD if early else RuptureCause.RESIGNATION
    enrolment.without_employer_since = broken_on + timedelta(days=1)
    enrolment.employer_id = enrolment.tutor_id = None  # the employer follows them no more
    enrolment.search_outcome, enrolment.search_ended_on = SearchOutcome.LEFT, left_on
    enrolment.interruption_reason = "Pas de nouvel employeur trouvé : a quitté le CFA."


def _new_employer(rng: random.Random, calendar: DemoCalendar, enrolments: list[Enrolment]) -> None:
    """A running contract broken by mutual agreement five weeks in, and a new employer three weeks later."""
    candidates = [
        e
        for e in enrolments
        if e.status == EnrolmentStatus.ACTIVE
        and e.tutor_id is not None
        and e.apprentice.email != data.DEMO_APPRENTICE
        and e.contract_start + timedelta(weeks=9) <= calendar.today
    ]
    if not candidates:
        return  # a running year too young for the story
    enrolment = rng.choice(candidates)
    broken_on = enrolment.contract_start + timedelta(weeks=5)
    old_employer = enrolment.employer_id
    contracts.record_rupture(None, enrolment, broken_on, RuptureParty.BOTH, RuptureCause.MUTUAL_AGREEMENT)
    city = db.session.get(Employer, old_employer).city
    tutor = db.session.scalar(  # a tutor of another employer, in the same town when there is one
        sa.select(User)
        .join(UserRole)
        .join(Employer, Employer.id == User.employer_id)
        .where(UserRole.role == Role.TUTOR, Employer.id != old_employer)
        .where(Employer.id.in_(sa.select(EmployerPeriod.employer_id)))  # an apprentices' employer, not a client
        .order_by(Employer.city != city, User.id)
        .limit(1)
    )
    employer = db.session.get(Employer, tutor.employer_id)
    values = contracts.PeriodValues(
        employer.id, tutor.id, broken_on + timedelta(weeks=3), enrolment.contract_end, "Convention collective ALISFA"
    )
    contracts.new_employer(None, enrolment, values)


def _advances(calendar: DemoCalendar, enrolments: list[Enrolment]) -> None:
    """The OPCO paid the advance of the contracts begun more than a month ago, except a few still due."""
    for index, enrolment in enumerate(enrolments):
        for period in enrolment.employer_periods:
            due = period.starts_on
            if due + timedelta(days=30) <= calendar.today and index % 6:
                contracts.record_payment(None, period, MilestoneKind.ADVANCE, due + timedelta(days=21), ADVANCE_CENTS)
