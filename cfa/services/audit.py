"""The audit trail: every change to a record after the fact says who, when, from what, to what and why."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.models import AuditEvent


def record(
    actor,
    entity: str,
    entity_id: int,
    action: str,
    *,
    before: dict | None = None,
    after: dict | None = None,
    reason: str | None = None,
    context: tuple[str, int] | None = None,
) -> AuditEvent:
    """Add an event to the session; `context` names the parent record whose history page lists it."""
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        entity=entity,
        entity_id=entity_id,
        action=action,
        before=before,
        after=after,
        reason=reason,
        context_entity=context[0] if context else None,
        context_id=context[1] if context else None,
    )
    db.session.add(event)
    return event


def history(context_entity: str, context_id: int, limit: int | None = None, offset: int = 0) -> list[AuditEvent]:
    """The events about a record and its parts, newest first, their authors loaded (a page of them if asked)."""
    stmt = (
        sa.select(AuditEvent)
        .where(
            sa.or_(
                sa.and_(AuditEvent.context_entity == context_entity, AuditEvent.context_id == context_id),
                sa.and_(AuditEvent.entity == context_entity, AuditEvent.entity_id == context_id),
            )
        )
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))
