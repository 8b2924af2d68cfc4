"""The yearly figures of short courses (formations courtes), per action and per audience: what the CFA publishes
every year (hours delivered, trainees, satisfaction) and what its funders and Qualiopi auditors ask for.

Rules:
- a run (session de formation) belongs to a year when one of its live half-days falls in it, up to today for the
  running year (a run that has not begun has trained nobody yet); hours delivered are the minutes of its planned,
  non-cancelled half-days within the year, up to today;
- trainees are distinct people enrolled in the year's runs: per action, and per audience (a person who followed
  two modules of one audience counts once in its total);
- trainee-hours are the minutes attended on the year's half-days, read from the attendance ledger by the same SQL
  as attendance rates (late arrivals and early leaves deducted);
- completion is the share of trainees of the runs ended by the end of the year (or today) whose place is
  completed;
- satisfaction (services/satisfaction.py) is the share of answers of 4 or 5 out of 5 to the overall question (measure
  "overall_satisfaction") of the survey campaigns sent to the year's runs; unknown ("–") while none is answered.

Everything is summed by the database (GROUP BY): six queries whatever the number of runs and trainees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.models import (
    Cohort,
    CourseAudience,
    Enrolment,
    EnrolmentStatus,
    Programme,
    ProgrammeKind,
    Session,
    SessionStatus,
)
from cfa.services.attendance_rates import SESSION_MINUTES, recorded_by_cohort
from cfa.services.satisfaction import satisfaction_rates


@dataclass
class Figures:
    """The counts of one action, one audience or the whole year."""

    runs: int = 0
    minutes: int = 0  # hours delivered, in minutes
    trainees: int = 0  # distinct people
    trainee_minutes: int = 0  # minutes attended, summed over trainees
    ended_places: int = 0  # places in runs ended by the end of the year
    completed_places: int = 0
    answers: int = 0  # answers to the overall-satisfaction question
    satisfied_answers: int = 0  # of which 4 or 5 out of 5

    @property
    def completion(self) -> float | None:
        return self.completed_places / self.ended_places if self.ended_places else None

    @property
    def satisfaction(self) -> float | None:
        return self.satisfied_answers / self.answers if self.answers else None

    def add(self, other: Figures) -> None:
        """Adds what can be added; distinct trainees are counted by the database, not summed."""
        self.runs += other.runs
        self.minutes += other.minutes
        self.trainee_minutes += other.trainee_minutes
        self.ended_places += other.ended_places
        self.completed_places += other.completed_places
        self.answers += other.answers
        self.satisfied_answers += other.satisfied_answers


@dataclass
class ActionFigures(Figures):
    programme_id: int = 0
    code: str = ""
    title: str = ""
    audience: CourseAudience | None = None
    entry_course: bool = False


@dataclass
class AudienceFigures(Figures):
    audience: CourseAudience | None = None  # None: actions with no audience set
    actions: list[ActionFigures] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.audience.label if self.audience else "Public non précisé"


@dataclass
class YearFigures:
    year: int
    audiences: list[AudienceFigures]
    total: Figures

    def of(self, audience: CourseAudience) -> AudienceFigures:
        return next((a for a in self.audiences if a.audience == audience), AudienceFigures(audience=audience))


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def yearly_figures(year: int, today: date | None = None) -> YearFigures:
    """The short courses' figures of a year, per action, per audience and in total."""
    start, end = year_bounds(year)
    ended_by = min(end, today or today_paris())
    in_year = sa.and_(Session.date >= start, Session.date <= ended_by, Session.status == SessionStatus.PLANNED)
    short = Programme.kind == ProgrammeKind.SHORT_COURSE

    runs_of_year = sa.select(Session.cohort_id).join(Cohort).join(Programme).where(in_year, short).distinct()
    delivered = db.session.execute(
        sa.select(
            Programme.id,
            Programme.code,
            Programme.title,
            Programme.audience,
            Programme.entry_course,
            sa.func.count(sa.distinct(Cohort.id)),
            sa.func.sum(SESSION_MINUTES),
        )
        .select_from(Session)
        .join(Cohort, Cohort.id == Session.cohort_id)
        .join(Programme, Programme.id == Cohort.programme_id)
        .where(in_year, short)
        .group_by(Programme.id, Programme.code, Programme.title, Programme.audience, Programme.entry_course)
    ).all()
    if not delivered:
        return YearFigures(year, [], Figures())
    actions = {
        programme_id: ActionFigures(
            runs=runs,
            minutes=int(minutes or 0),
            programme_id=programme_id,
            code=code,
            title=title,
            audience=audience,
            entry_course=entry_course,
        )
        for programme_id, code, title, audience, entry_course, runs, minutes in delivered
    }
    run_programme = dict(
        db.session.execute(sa.select(Cohort.id, Cohort.programme_id).where(Cohort.id.in_(runs_of_year))).tuples().all()
    )

    ended = Cohort.end_date <= ended_by
    places = (
        sa.select(
            Cohort.programme_id,
            sa.func.count(sa.distinct(Enrolment.apprentice_id)),
            sa.func.sum(sa.case((ended, 1), else_=0)),
            sa.func.sum(sa.case((sa.and_(ended, Enrolment.status == EnrolmentStatus.COMPLETED), 1), else_=0)),
        )
        .select_from(Enrolment)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Cohort.id.in_(runs_of_year))
        .group_by(Cohort.programme_id)
    )
    for programme_id, trainees, ended_places, completed in db.session.execute(places):
        action = actions[programme_id]
        action.trainees, action.ended_places, action.completed_places = trainees, int(ended_places), int(completed)
    for cohort_id, rate in recorded_by_cohort(run_programme, start, ended_by).items():
        actions[run_programme[cohort_id]].trainee_minutes += rate.attended
    for programme_id, rate in satisfaction_rates("programme", cohort_ids=runs_of_year).items():
        actions[programme_id].answers, actions[programme_id].satisfied_answers = rate.denominator, rate.numerator

    return _by_audience(year, actions, runs_of_year)


def _by_audience(year: int, actions: dict[int, ActionFigures], runs_of_year) -> YearFigures:
    audiences: dict[CourseAudience | None, AudienceFigures] = {}
    for action in sorted(actions.values(), key=lambda a: (not a.entry_course, a.title)):
        group = audiences.setdefault(action.audience, AudienceFigures(audience=action.audience))
        group.actions.append(action)
        group.add(action)
    total = Figures()
    for group in audiences.values():
        total.add(group)
    # Distinct people per audience and over the year: one query, grouped by audience with a grand total.
    people = (
        sa.select(sa.cast(Programme.audience, sa.String), sa.func.count(sa.distinct(Enrolment.apprentice_id)))
        .select_from(Enrolment)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(Programme, Programme.id == Cohort.programme_id)
        .where(Cohort.id.in_(runs_of_year))
        .group_by(Programme.audience)
    )
    everyone = sa.select(
        sa.cast(sa.literal("*"), sa.String), sa.func.count(sa.distinct(Enrolment.apprentice_id))
    ).where(Enrolment.cohort_id.in_(runs_of_year))
    for audience, trainees in db.session.execute(sa.union_all(people, everyone)):
        if audience == "*":
            total.trainees = trainees
        else:
            key = CourseAudience(audience) if audience is not None else None
            audiences[key].trainees = trainees
    order = list(CourseAudience)
    ordered = sorted(audiences.values(), key=lambda a: order.index(a.audience) if a.audience else len(order))
    return YearFigures(year, ordered, total)


def years_with_courses() -> list[int]:
    """The years holding a live half-day of a short course, newest first, for the year selector."""
    year = sa.extract("year", Session.date)
    rows = db.session.scalars(
        sa.select(sa.cast(year, sa.Integer))
        .join(Cohort, Cohort.id == Session.cohort_id)
        .join(Programme, Programme.id == Cohort.programme_id)
        .where(Programme.kind == ProgrammeKind.SHORT_COURSE, Session.status == SessionStatus.PLANNED)
        .group_by(year)
    )
    return sorted((int(y) for y in rows), reverse=True)
