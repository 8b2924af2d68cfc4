"""The audit trail: every change to a record after the fact says who, when, from what, to what and why."""

import enum
from datetime import date, datetime, time
from decimal import Decimal

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


# Bookkeeping columns every row carries are no change of the record; secrets never enter the trail.
_UNTRACKED = frozenset({"created_at", "updated_at", "password_hash", "calendar_token", "qr_secret", "session_version"})


def _json(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} octets>"
    return value


def snapshot(obj) -> dict:
    """The record's column values, as JSON, for the before and after of an event."""
    mapper = sa.inspect(obj).mapper
    return {attr.key: _json(getattr(obj, attr.key)) for attr in mapper.column_attrs if attr.key not in _UNTRACKED}


def record_change(
    actor,
    obj,
    before: dict | None,
    *,
    action: str | None = None,
    reason: str | None = None,
    context: tuple[str, int] | None = None,
) -> AuditEvent | None:
    """Record what changed in `obj` since `before` (None: it was created); nothing when nothing changed.

    The object must be flushed, so that a new row has its id.
    """
    after = snapshot(obj)
    if before is not None:
        changed = [key for key, value in after.items() if before.get(key) != value]
        if not changed:
            return None
        before = {key: before.get(key) for key in changed}
        after = {key: after[key] for key in changed}
    return record(
        actor,
        sa.inspect(obj).mapper.local_table.name,
        obj.id,
        action or ("create" if before is None else "update"),
        before=before,
        after=after,
        reason=reason,
        context=context,
    )


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
