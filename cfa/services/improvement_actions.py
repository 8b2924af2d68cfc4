"""Improvement actions (Qualiopi indicator 32): each traced to its origin (a complaint, a survey campaign, an audit
finding, a team proposal), owned, dated, and closed only with the evidence that it was done."""

from datetime import date

import sqlalchemy as sa

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.models import ActionSource, ActionStatus, ImprovementAction, QualityIndicator, User
from cfa.services import audit

A = ActionStatus
TRANSITIONS = {
    A.PLANNED: {A.IN_PROGRESS, A.DONE, A.ABANDONED},
    A.IN_PROGRESS: {A.DONE, A.ABANDONED},
    A.DONE: set(),
    A.ABANDONED: set(),
}
FILTERS = ("open", "late", "closed")


class ActionError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def save_action(actor: User, action: ImprovementAction | None, indicator_ids: list[int], **values) -> ImprovementAction:
    """Create or edit an action; its origin must be named when it is a complaint or a survey campaign."""
    source = values.get("source")
    if source == ActionSource.COMPLAINT and not values.get("complaint_id"):
        raise ActionError("Choisissez la réclamation dont l'action découle.", "complaint_id")
    if source == ActionSource.SURVEY and not values.get("campaign_id"):
        raise ActionError("Choisissez la campagne d'enquête dont l'action découle.", "campaign_id")
    before = audit.snapshot(action) if action is not None else None
    target = action or ImprovementAction()
    for key, value in values.items():
        setattr(target, key, value)
    target.indicators = list(
        db.session.scalars(sa.select(QualityIndicator).where(QualityIndicator.id.in_(indicator_ids or [])))
    )
    db.session.add(target)
    db.session.flush()
    audit.record_change(actor, target, before, context=("improvement_action", target.id))
    return target


def change_status(
    actor: User, action: ImprovementAction, status: ActionStatus, on: date | None = None, evidence: str | None = None
) -> ImprovementAction:
    if status not in TRANSITIONS[action.status]:
        raise ActionError(f"L'action est « {action.status.label} » : elle ne peut pas passer à « {status.label} ».")
    on = on or today_paris()
    if on > today_paris():
        raise ActionError("La date ne peut pas être dans le futur.", "on")
    evidence = (evidence or "").strip()
    if status == A.DONE and not evidence:
        raise ActionError("Décrivez la preuve de réalisation (document, date, lieu).", "evidence")
    before = audit.snapshot(action)
    action.status = status
    if status == A.DONE:
        action.done_on, action.evidence = on, evidence
    db.session.flush()
    audit.record_change(
        actor, action, before, action=f"status_{status.value}", context=("improvement_action", action.id)
    )
    return action


def actions_query(which: str | None = None, today: date | None = None):
    today = today or today_paris()
    stmt = sa.select(ImprovementAction).order_by(ImprovementAction.due_on.asc().nulls_last(), ImprovementAction.id)
    open_ = ImprovementAction.status.in_([A.PLANNED, A.IN_PROGRESS])
    if which == "open":
        stmt = stmt.where(open_)
    elif which == "late":
        stmt = stmt.where(open_, ImprovementAction.due_on < today)
    elif which == "closed":
        stmt = stmt.where(sa.not_(open_))
    return stmt
