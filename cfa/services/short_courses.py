"""Sessions de formation of short courses: a run is a `Cohort` of a short-course programme, so that its half-days,
sign-in sheets, rates and documents follow the cohorts' code paths.

Creating and editing a run (inter-company, or intra-company for one client at its site), the listing per year and
audience, and what a trainee reads of their own runs.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.models import (
    Centre,
    Cohort,
    CourseAudience,
    Employer,
    Enrolment,
    EnrolmentStatus,
    Programme,
    ProgrammeKind,
    Room,
    Session,
    SessionStatus,
    User,
)
from cfa.services import audit
from cfa.services.calendar_queries import planned_minutes_by_cohort


class CourseError(ValueError):
    """A refused change to a short course, with a French message and the form field it is about."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class RunValues:
    programme_id: int
    centre_id: int
    name: str
    start_date: date
    end_date: date
    client_id: int | None = None
    place: str | None = None
    price_cents: int | None = None  # the whole session's price, intra-company only
    lead_trainer_id: int | None = None
    default_room_id: int | None = None


def _run_problem(values: RunValues, run: Cohort | None) -> CourseError | None:
    programme = db.session.get(Programme, values.programme_id)
    if programme is None or not programme.is_short_course:
        return CourseError("Choisissez une formation courte.", "programme_id")
    if db.session.get(Centre, values.centre_id) is None:
        return CourseError("Centre inconnu.", "centre_id")
    same_name = sa.select(Cohort.id).where(Cohort.name == values.name.strip(), Cohort.id != (run.id if run else -1))
    if db.session.scalar(same_name.limit(1)):
        return CourseError("Une session ou une promotion porte déjà ce nom.", "name")
    if values.end_date < values.start_date:
        return CourseError("Le dernier jour ne peut pas précéder le premier.", "end_date")
    if values.client_id is not None and db.session.get(Employer, values.client_id) is None:
        return CourseError("Client inconnu.", "client_id")
    if values.price_cents is not None and values.client_id is None:
        return CourseError(
            "Un prix de session ne vaut qu'en intra-entreprise : en inter-entreprises, chaque stagiaire paie le prix "
            "de la formation.",
            "price_cents",
        )
    if values.default_room_id is not None:
        room = db.session.get(Room, values.default_room_id)
        if room is None or room.centre_id != values.centre_id:
            return CourseError("Cette salle n'appartient pas au centre choisi.", "default_room_id")
    return None


def save_run(actor: User, run: Cohort | None, values: RunValues) -> Cohort:
    """Create (run None) or edit a session de formation, audited; raises CourseError to refuse."""
    if problem := _run_problem(values, run):
        raise problem
    if run is not None and run.enrolments and values.client_id is not None:
        others = [e for e in run.enrolments if e.employer_id != values.client_id]
        if others:
            raise CourseError(
                "Des stagiaires d'autres employeurs y sont inscrits : la session reste inter.", "client_id"
            )
    if run is not None:
        _check_new_dates(run, values)
    before = audit.snapshot(run) if run is not None else None
    if run is None:
        run = Cohort()
        db.session.add(run)
    for name, value in vars(values).items():
        setattr(run, name, value.strip() if isinstance(value, str) else value)
    db.session.flush()
    audit.record_change(actor, run, before)
    _follow_dates(actor, run)
    return run


def _check_new_dates(run: Cohort, values: RunValues) -> None:
    outside = db.session.scalar(
        sa.select(sa.func.count(Session.id)).where(
            Session.cohort_id == run.id,
            Session.status == SessionStatus.PLANNED,
            sa.or_(Session.date < values.start_date, Session.date > values.end_date),
        )
    )
    if outside:
        raise CourseError(
            f"{outside} demi-journée(s) sont planifiées hors de ces dates : déplacez-les ou annulez-les d'abord.",
            "start_date",
        )


def _follow_dates(actor: User, run: Cohort) -> None:
    """A trainee's place lasts as long as the run: moved dates move the places still in progress, audited."""
    for enrolment in run.enrolments:
        if enrolment.status != EnrolmentStatus.INTERRUPTED and (enrolment.contract_start, enrolment.contract_end) != (
            run.start_date,
            run.end_date,
        ):
            before = audit.snapshot(enrolment)
            enrolment.contract_start, enrolment.contract_end = run.start_date, run.end_date
            db.session.flush()
            audit.record_change(
                actor, enrolment, before, reason="Dates de la session modifiées", context=("cohort", run.id)
            )


def short_course_or_none(cohort_id: int) -> Cohort | None:
    """The run with what its page shows, or None when the id is not a session of a short course."""
    stmt = (
        sa.select(Cohort)
        .join(Programme, Cohort.programme_id == Programme.id)
        .where(Cohort.id == cohort_id, Programme.kind == ProgrammeKind.SHORT_COURSE)
        .options(
            selectinload(Cohort.programme),
            selectinload(Cohort.centre),
            selectinload(Cohort.client),
            selectinload(Cohort.lead_trainer),
            selectinload(Cohort.default_room),
        )
    )
    return db.session.scalar(stmt)


def runs_statement(year: int | None = None, audience: CourseAudience | None = None, programme_id: int | None = None):
    """The runs of short courses, most recent first, filtered by the year they start, audience or action."""
    stmt = (
        sa.select(Cohort)
        .join(Programme, Cohort.programme_id == Programme.id)
        .where(Programme.kind == ProgrammeKind.SHORT_COURSE)
        .options(selectinload(Cohort.programme), selectinload(Cohort.centre), selectinload(Cohort.client))
        .order_by(Cohort.start_date.desc(), Cohort.name)
    )
    if year is not None:
        stmt = stmt.where(Cohort.start_date.between(date(year, 1, 1), date(year, 12, 31)))
    if audience is not None:
        stmt = stmt.where(Programme.audience == audience)
    if programme_id is not None:
        stmt = stmt.where(Programme.id == programme_id)
    return stmt


@dataclass(frozen=True)
class RunCounts:
    trainees: int = 0  # registered and not withdrawn before the end
    half_days: int = 0
    minutes: int = 0


def run_counts(cohort_ids: list[int]) -> dict[int, RunCounts]:
    """Trainees, live half-days and planned minutes per run: two queries whatever the number of runs."""
    if not cohort_ids:
        return {}
    trainees = dict(
        db.session.execute(
            sa.select(Enrolment.cohort_id, sa.func.count(Enrolment.id))
            .where(Enrolment.cohort_id.in_(cohort_ids), Enrolment.status != EnrolmentStatus.INTERRUPTED)
            .group_by(Enrolment.cohort_id)
        ).all()
    )
    half_days = dict(
        db.session.execute(
            sa.select(Session.cohort_id, sa.func.count(Session.id))
            .where(Session.cohort_id.in_(cohort_ids), Session.status == SessionStatus.PLANNED)
            .group_by(Session.cohort_id)
        ).all()
    )
    minutes = planned_minutes_by_cohort(cohort_ids) if half_days else {}
    return {cid: RunCounts(trainees.get(cid, 0), half_days.get(cid, 0), minutes.get(cid, 0)) for cid in cohort_ids}


def run_years() -> list[int]:
    """The years runs start in, for the listing's filter."""
    stmt = (
        sa.select(Cohort.start_date)
        .join(Programme, Cohort.programme_id == Programme.id)
        .where(Programme.kind == ProgrammeKind.SHORT_COURSE)
    )
    return sorted({day.year for day in db.session.scalars(stmt)}, reverse=True)


def run_sessions(cohort_ids: list[int], live_only: bool = True) -> dict[int, list[Session]]:
    """The half-days of several runs, in date order, with trainer and room: one query."""
    if not cohort_ids:
        return {}
    stmt = (
        sa.select(Session)
        .where(Session.cohort_id.in_(cohort_ids))
        .options(selectinload(Session.trainer), selectinload(Session.room))
        .order_by(Session.date, Session.start_time)
    )
    if live_only:
        stmt = stmt.where(Session.status == SessionStatus.PLANNED)
    found: dict[int, list[Session]] = defaultdict(list)
    for session in db.session.scalars(stmt):
        found[session.cohort_id].append(session)
    return found


def trainee_enrolments(learner: User) -> list[Enrolment]:
    """A person's places in short courses, most recent first, with their runs."""
    stmt = (
        sa.select(Enrolment)
        .join(Cohort, Enrolment.cohort_id == Cohort.id)
        .join(Programme, Cohort.programme_id == Programme.id)
        .where(Enrolment.apprentice_id == learner.id, Programme.kind == ProgrammeKind.SHORT_COURSE)
        .options(
            selectinload(Enrolment.cohort).selectinload(Cohort.programme),
            selectinload(Enrolment.cohort).selectinload(Cohort.centre),
            selectinload(Enrolment.cohort).selectinload(Cohort.client),
        )
        .order_by(Cohort.start_date.desc())
    )
    return list(db.session.scalars(stmt))


def trainee_enrolment_in(learner: User, cohort_id: int) -> Enrolment | None:
    """The person's place in that run, or None: a learner opens only the runs they are registered in."""
    return next((e for e in trainee_enrolments(learner) if e.cohort_id == cohort_id), None)


def place_of(run: Cohort) -> str:
    """Where a run happens, as its convocation says: the client's site or the centre."""
    return run.place or run.programme.place or run.centre.name


@dataclass(frozen=True)
class UpcomingHalfDay:
    session: Session
    run: Cohort
    place: str


def upcoming_for(learner: User, today: date, limit: int = 10) -> list[UpcomingHalfDay]:
    """A trainee's next half-days across their short courses, with where each happens (a fixed number of queries)."""
    enrolments = [e for e in trainee_enrolments(learner) if e.status != EnrolmentStatus.INTERRUPTED]
    runs = {e.cohort_id: e.cohort for e in enrolments if e.cohort.end_date >= today}
    by_run = run_sessions(list(runs))
    upcoming = sorted(
        (s for sessions in by_run.values() for s in sessions if s.date >= today), key=lambda s: (s.date, s.start_time)
    )
    return [
        UpcomingHalfDay(s, runs[s.cohort_id], s.room.name if s.room else place_of(runs[s.cohort_id]))
        for s in upcoming[:limit]
    ]
