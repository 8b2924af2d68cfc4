"""Company visits and tripartite meetings, their follow-up actions, and the tutor's first-contact checklist.

Rules:
- a visit is planned (date), then held (date, report: objectives, observations, decisions; attendees; place or
  remote); a visit cannot be held in the future, nor before the contract;
- a contract is expected to have a visit held within its first two months; a planned visit past its date and not
  held is overdue too (`overdue_clause`, SQL);
- each checklist item is ticked once, by the tutor or the référent, who and when kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.models import Cohort, Enrolment, EnrolmentStatus, Programme, ProgrammeKind, User
from cfa.models.visits import OnboardingCheck, OnboardingItem, Visit, VisitAction, VisitKind
from cfa.services import audit

FIRST_VISIT_WITHIN = timedelta(days=61)  # "within the first two months of the contract"


class VisitError(ValueError):
    """A visit refused, with the reason to show."""


@dataclass(frozen=True)
class VisitReport:
    held_on: date
    remote: bool
    place: str | None
    attendees: str | None
    objectives: str | None
    observations: str | None
    decisions: str | None


def _clean(text: str | None) -> str | None:
    return (text or "").strip() or None


def plan_visit(actor, enrolment: Enrolment, kind: VisitKind, planned_on: date, place: str | None = None) -> Visit:
    if planned_on < enrolment.contract_start:
        raise VisitError("La visite ne peut pas précéder le début du contrat.")
    visit = Visit(
        enrolment_id=enrolment.id, kind=kind, planned_on=planned_on, place=_clean(place), created_by_id=actor.id
    )
    db.session.add(visit)
    db.session.flush()
    audit.record_change(actor, visit, None, context=("enrolment", enrolment.id))
    return visit


def hold_visit(actor, visit: Visit, report: VisitReport, today: date) -> Visit:
    """Record that the visit took place, with its report; editing the report later is audited the same way."""
    if report.held_on > today:
        raise VisitError("Une visite ne peut pas être tenue à une date future : planifiez-la.")
    if report.held_on < visit.enrolment.contract_start:
        raise VisitError("La visite ne peut pas précéder le début du contrat.")
    if not report.remote and not _clean(report.place):
        raise VisitError("Indiquez le lieu de la visite, ou qu'elle s'est tenue à distance.")
    if not _clean(report.observations):
        raise VisitError("Le compte rendu demande au moins les observations.")
    before = audit.snapshot(visit)
    visit.held_on = report.held_on
    visit.remote = report.remote
    visit.place = None if report.remote else _clean(report.place)
    visit.attendees = _clean(report.attendees)
    visit.objectives = _clean(report.objectives)
    visit.observations = _clean(report.observations)
    visit.decisions = _clean(report.decisions)
    db.session.flush()
    audit.record_change(actor, visit, before, action="hold", context=("enrolment", visit.enrolment_id))
    return visit


def add_action(actor, visit: Visit, description: str, owner: str, due_on: date | None) -> VisitAction:
    if not _clean(description) or not _clean(owner):
        raise VisitError("Une action de suivi dit quoi faire et qui s'en charge.")
    if due_on is not None and due_on < visit.planned_on:
        raise VisitError("L'échéance d'une action ne peut pas précéder la visite.")
    action = VisitAction(description=description.strip()[:300], owner=owner.strip()[:120], due_on=due_on)
    visit.actions.append(action)
    db.session.flush()
    audit.record_change(actor, action, None, context=("enrolment", visit.enrolment_id))
    return action


def mark_action_done(actor, action: VisitAction, on: date) -> None:
    before = audit.snapshot(action)
    action.done_on = on
    db.session.flush()
    audit.record_change(actor, action, before, action="done", context=("enrolment", action.visit.enrolment_id))


def visits_of(enrolment_ids) -> dict[int, list[Visit]]:
    """The visits of several enrolments, by planned date, their actions loaded (two queries)."""
    ids = list(enrolment_ids)
    found: dict[int, list[Visit]] = {i: [] for i in ids}
    if ids:
        stmt = (
            sa.select(Visit)
            .where(Visit.enrolment_id.in_(ids))
            .options(selectinload(Visit.actions))
            .order_by(Visit.planned_on)
        )
        for visit in db.session.scalars(stmt):
            found[visit.enrolment_id].append(visit)
    return found


def next_visit(visits: list[Visit], today: date) -> Visit | None:
    return next((v for v in visits if v.held_on is None and v.planned_on >= today), None)


def overdue_clause(today: date):
    """SQL, correlated to Enrolment: no visit held though the contract started more than two months ago, or a
    planned visit past its date and not held."""
    never_visited = sa.and_(
        Enrolment.contract_start <= today - FIRST_VISIT_WITHIN,
        ~sa.exists().where(Visit.enrolment_id == Enrolment.id, Visit.held_on.is_not(None)),
    )
    late = sa.exists().where(Visit.enrolment_id == Enrolment.id, Visit.held_on.is_(None), Visit.planned_on < today)
    return sa.and_(Enrolment.status == EnrolmentStatus.ACTIVE, sa.or_(never_visited, late))


def overdue_enrolments(today: date, scope=None) -> list[Enrolment]:
    """The running apprenticeship contracts whose visit is overdue, within `scope` (a SQL condition on Enrolment)."""
    stmt = (
        sa.select(Enrolment)
        .join(Cohort, Enrolment.cohort_id == Cohort.id)
        .join(Programme, Cohort.programme_id == Programme.id)
        .join(User, Enrolment.apprentice_id == User.id)
        .where(
            Programme.kind == ProgrammeKind.APPRENTICESHIP, overdue_clause(today), sa.true() if scope is None else scope
        )
        .options(
            selectinload(Enrolment.apprentice),
            selectinload(Enrolment.cohort),
            selectinload(Enrolment.employer),
            selectinload(Enrolment.referent),
        )
        .order_by(Enrolment.contract_start, User.last_name)
    )
    return list(db.session.scalars(stmt))


def checks_of(enrolment_id: int) -> dict[OnboardingItem, OnboardingCheck]:
    stmt = (
        sa.select(OnboardingCheck)
        .where(OnboardingCheck.enrolment_id == enrolment_id)
        .options(selectinload(OnboardingCheck.ticked_by))
    )
    return {check.item: check for check in db.session.scalars(stmt)}


def tick(actor, enrolment: Enrolment, item: OnboardingItem) -> OnboardingCheck:
    """Tick an item of the first-contact checklist; ticking it again keeps the first tick."""
    existing = db.session.scalar(
        sa.select(OnboardingCheck).where(OnboardingCheck.enrolment_id == enrolment.id, OnboardingCheck.item == item)
    )
    if existing is not None:
        raise VisitError(f"« {item.label} » est déjà coché.")
    check = OnboardingCheck(enrolment_id=enrolment.id, item=item, ticked_by_id=actor.id)
    db.session.add(check)
    db.session.flush()
    audit.record_change(actor, check, None, context=("enrolment", enrolment.id))
    return check
