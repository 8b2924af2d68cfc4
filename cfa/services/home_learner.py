"""An apprentice's or a trainee's home: where they are this week and next, their next half-days with times and
rooms, their attendance and the absences still to justify, results and certificates, the surveys waiting for them.

Only the person's own records are read (every query is keyed on their account), in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import (
    AttendanceMark,
    Award,
    Enrolment,
    Justification,
    JustificationStatus,
    MarkStatus,
    Session,
    SessionStatus,
    SurveyInvitation,
    User,
)
from cfa.services import calendar_queries, followup, short_courses
from cfa.services.attendance_rates import Rate, rates_by_enrolment
from cfa.services.block_progress import BlockState, EnrolmentResults
from cfa.services.enrolments import current_enrolment
from cfa.services.followup import WeekPlace
from cfa.services.survey_campaigns import my_invitations

NEXT_HALF_DAYS = 6


@dataclass
class LearnerHome:
    enrolment: Enrolment | None
    weeks: list[WeekPlace] = field(default_factory=list)  # this week and next (apprentices only)
    upcoming: list[Session] = field(default_factory=list)
    places: dict[int, str] = field(default_factory=dict)  # session id: room or place, for short courses
    rate: Rate = field(default_factory=Rate)
    to_justify: int = 0
    results: EnrolmentResults | None = None
    certificates: int = 0
    surveys: list[SurveyInvitation] = field(default_factory=list)

    @property
    def is_apprentice(self) -> bool:
        return self.enrolment is not None and not self.enrolment.cohort.programme.is_short_course

    @property
    def acquired_blocks(self) -> int:
        return sum(1 for b in self.results.blocks if b.state == BlockState.ACQUIRED) if self.results else 0


def absences_to_justify(enrolment_id: int) -> int:
    """Half-days absent that no justification covers yet, accepted or waiting for a decision (counted in SQL)."""
    covered = sa.exists().where(
        Justification.enrolment_id == AttendanceMark.enrolment_id,
        Justification.status.in_([JustificationStatus.ACCEPTED, JustificationStatus.PENDING]),
        Justification.start_date <= Session.date,
        Justification.end_date >= Session.date,
    )
    stmt = (
        sa.select(sa.func.count(AttendanceMark.id))
        .join(Session, Session.id == AttendanceMark.session_id)
        .where(
            AttendanceMark.enrolment_id == enrolment_id,
            AttendanceMark.status == MarkStatus.ABSENT,
            Session.status == SessionStatus.PLANNED,
            sa.not_(covered),
        )
    )
    return db.session.scalar(stmt)


def surveys_to_answer(user: User, today: date) -> list[SurveyInvitation]:
    return [
        i
        for i in my_invitations(user)
        if i.responded_at is None and i.campaign.opens_on <= today <= i.campaign.closes_on
    ]


def valid_certificates(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Award.id)).where(Award.learner_id == user.id, Award.revoked_at.is_(None))
    )


def _next_half_days(enrolment: Enrolment, today: date) -> list[Session]:
    start = max(today, enrolment.contract_start)
    stmt = calendar_queries.cohort_sessions_statement(enrolment.cohort_id, start=start, live_only=True).where(
        Session.date <= enrolment.last_day
    )
    return list(db.session.scalars(stmt.limit(NEXT_HALF_DAYS)))


def learner_home(user: User, today: date) -> LearnerHome:
    enrolment = current_enrolment(user, on=today)
    home = LearnerHome(
        enrolment=enrolment,
        certificates=valid_certificates(user),
        surveys=surveys_to_answer(user, today),
    )
    if enrolment is None:
        return home
    home.to_justify = absences_to_justify(enrolment.id)
    if enrolment.cohort.programme.is_short_course:
        upcoming = short_courses.upcoming_for(user, today, limit=NEXT_HALF_DAYS)
        home.upcoming = [h.session for h in upcoming]
        home.places = {h.session.id: h.place for h in upcoming}
        home.rate = rates_by_enrolment([enrolment.id]).get(enrolment.id, Rate())
        return home
    summary = followup.summary_of(enrolment, today)
    home.weeks, home.rate, home.results = summary.weeks, summary.rate, summary.results
    home.upcoming = _next_half_days(enrolment, today)
    return home
