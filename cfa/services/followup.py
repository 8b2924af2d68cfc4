"""Each apprentice on one page, for their tutor and their référent: where they are this week and next, attendance,
progress per skill block, the livret, visits; and, for the référent, what needs action.

Everything is loaded for the whole list in a fixed number of queries, whatever the number of apprentices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.models import (
    AttendanceMark,
    CalendarPeriod,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    MarkStatus,
    PeriodKind,
    Programme,
    ProgrammeKind,
    Session,
    SessionStatus,
    User,
)
from cfa.models.livret import LivretEntry
from cfa.models.visits import Visit
from cfa.services import absences, justifications, livret, visits
from cfa.services.attendance_rates import Rate, justified_clause, rates_by_enrolment
from cfa.services.block_progress import EnrolmentResults, enrolment_results
from cfa.services.calendar_generation import monday_of

RECENT_DAYS = 28  # "repeated absences": unjustified half-days absent over the last four weeks
REPEATED_ABSENCES = 3
PER_PAGE = 25


@dataclass(frozen=True)
class WeekPlace:
    monday: date
    place: str  # "centre", "company" or "none" (outside the contract)

    @property
    def label(self) -> str:
        return {"centre": "Au centre de formation", "company": "En entreprise"}.get(self.place, "Hors contrat")


@dataclass
class ApprenticeSummary:
    enrolment: Enrolment
    weeks: list[WeekPlace]
    rate: Rate
    recent_absences: list
    results: EnrolmentResults
    periods: list[livret.FieldPeriod]
    entries: list[LivretEntry]
    visits: list[Visit]
    next_visit: Visit | None
    flags: list[str] = field(default_factory=list)
    justified: dict = field(default_factory=dict)  # absence mark id -> the justification covering it

    @property
    def latest_entries(self) -> list[LivretEntry]:
        return self.entries[-2:][::-1]


def apprenticeship_clause():
    """SQL: the enrolment is an apprenticeship contract (not a place in a short course)."""
    return Enrolment.cohort_id.in_(
        sa.select(Cohort.id).join(Programme).where(Programme.kind == ProgrammeKind.APPRENTICESHIP)
    )


def _load(stmt) -> sa.Select:
    return stmt.options(
        selectinload(Enrolment.apprentice),
        selectinload(Enrolment.tutor),
        selectinload(Enrolment.referent),
        selectinload(Enrolment.employer),
        selectinload(Enrolment.cohort).selectinload(Cohort.programme),
    )


def followed(scope, active_only: bool = True, limit: int | None = None) -> list[Enrolment]:
    """The apprenticeship enrolments within `scope` (a SQL condition), by apprentice name (the first `limit`)."""
    stmt = (
        sa.select(Enrolment)
        .join(User, Enrolment.apprentice_id == User.id)
        .where(scope, apprenticeship_clause())
        .order_by(Enrolment.status != EnrolmentStatus.ACTIVE, User.last_name, User.first_name)
    )
    if active_only:
        stmt = stmt.where(Enrolment.status == EnrolmentStatus.ACTIVE)
    return list(db.session.scalars(_load(stmt).limit(limit)))


def followed_count(scope, active_only: bool = True) -> int:
    stmt = sa.select(sa.func.count(Enrolment.id)).where(scope, apprenticeship_clause())
    if active_only:
        stmt = stmt.where(Enrolment.status == EnrolmentStatus.ACTIVE)
    return db.session.scalar(stmt)


def _week_places(enrolment: Enrolment, course: list[CalendarPeriod], mondays: list[date]) -> list[WeekPlace]:
    places = []
    for monday in mondays:
        sunday = monday + timedelta(days=6)
        if not (enrolment.contract_start <= sunday and monday <= enrolment.last_day):
            places.append(WeekPlace(monday, "none"))
        elif any(
            p.cohort_id == enrolment.cohort_id and p.start_date <= sunday and p.end_date >= monday for p in course
        ):
            places.append(WeekPlace(monday, "centre"))
        else:
            places.append(WeekPlace(monday, "company"))
    return places


def summaries(enrolments: list[Enrolment], today: date) -> list[ApprenticeSummary]:
    """One summary per enrolment, in a fixed number of queries."""
    ids = [e.id for e in enrolments]
    cohort_ids = {e.cohort_id for e in enrolments}
    mondays = [monday_of(today), monday_of(today) + timedelta(days=7)]
    periods = list(
        db.session.scalars(
            sa.select(CalendarPeriod).where(
                CalendarPeriod.cohort_id.in_(cohort_ids),
                CalendarPeriod.kind.in_([PeriodKind.COURSE, PeriodKind.FIELD]),
            )
        )
    )
    course = [p for p in periods if p.kind == PeriodKind.COURSE and p.end_date >= mondays[0]]
    rates = rates_by_enrolment(ids)
    recent: dict[int, list] = {i: [] for i in ids}
    notable = absences.notable_marks(ids, start=today - timedelta(days=RECENT_DAYS))
    for mark in notable:
        recent[mark.enrolment_id].append(mark)
    justified = justifications.covering(notable)
    results = {r.enrolment.id: r for r in enrolment_results(enrolments)}
    entries = livret.entries_of(ids)
    planned = visits.visits_of(ids)
    flags = needs_action_flags(ids, today)
    return [
        ApprenticeSummary(
            enrolment=e,
            weeks=_week_places(e, course, mondays),
            rate=rates.get(e.id, Rate()),
            recent_absences=recent[e.id][:5],
            justified=justified,
            results=results[e.id],
            periods=livret.field_periods(e, periods),
            entries=entries[e.id],
            visits=planned[e.id],
            next_visit=visits.next_visit(planned[e.id], today),
            flags=flags.get(e.id, []),
        )
        for e in enrolments
    ]


def summary_of(enrolment: Enrolment, today: date) -> ApprenticeSummary:
    (summary,) = summaries([enrolment], today)
    return summary


def _unjustified_recent_absences(today: date):
    return (
        sa.select(sa.func.count(AttendanceMark.id))
        .join(Session, AttendanceMark.session_id == Session.id)
        .where(
            AttendanceMark.enrolment_id == Enrolment.id,
            AttendanceMark.status == MarkStatus.ABSENT,
            Session.status == SessionStatus.PLANNED,
            Session.date >= today - timedelta(days=RECENT_DAYS),
            Session.date <= today,
            ~justified_clause(),
        )
        .correlate(Enrolment)
        .scalar_subquery()
    )


def _livret_missing(today: date):
    last_start = livret.last_ended_period_start(today)
    signed = sa.exists().where(
        LivretEntry.enrolment_id == Enrolment.id,
        LivretEntry.period_start == last_start,
        LivretEntry.tutor_signed_at.is_not(None),
    )
    return sa.and_(last_start.is_not(None), ~signed)


FLAG_LABELS = {
    "livret": "Livret non rempli pour la dernière période en entreprise",
    "visit": "Visite en retard",
    "absences": f"Au moins {REPEATED_ABSENCES} absences non justifiées en {RECENT_DAYS // 7} semaines",
}


def _flag_columns(today: date) -> list:
    return [
        _livret_missing(today).label("livret"),
        visits.overdue_clause(today).label("visit"),
        (_unjustified_recent_absences(today) >= REPEATED_ABSENCES).label("absences"),
    ]


def needs_action_flags(enrolment_ids, today: date) -> dict[int, list[str]]:
    """What needs action for each enrolment (one query)."""
    ids = list(enrolment_ids)
    if not ids:
        return {}
    rows = db.session.execute(sa.select(Enrolment.id, *_flag_columns(today)).where(Enrolment.id.in_(ids)))
    return {row.id: [name for name in FLAG_LABELS if getattr(row, name)] for row in rows}


@dataclass
class ReferentPage:
    enrolments: list[Enrolment]
    flags: dict[int, list[str]]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PER_PAGE))

    has_prev = property(lambda self: self.page > 1)
    has_next = property(lambda self: self.page < self.pages)
    prev_num = property(lambda self: self.page - 1)
    next_num = property(lambda self: self.page + 1)


def referent_page(scope, today: date, only_action: bool = False, page: int = 1) -> ReferentPage:
    """The running apprenticeship contracts within `scope`, those needing action first if asked, a page at a time."""
    needs = sa.or_(*[column.element if hasattr(column, "element") else column for column in _flag_columns(today)])
    stmt = (
        sa.select(Enrolment)
        .join(User, Enrolment.apprentice_id == User.id)
        .where(scope, apprenticeship_clause(), Enrolment.status == EnrolmentStatus.ACTIVE)
    )
    if only_action:
        stmt = stmt.where(needs)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
    page = max(1, page)
    rows = list(
        db.session.scalars(
            _load(stmt.order_by(User.last_name, User.first_name).offset((page - 1) * PER_PAGE).limit(PER_PAGE))
        )
    )
    return ReferentPage(rows, needs_action_flags([e.id for e in rows], today), total, page)
