"""The audit trail of changes made to legal records after the fact."""

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cfa.extensions import db
from cfa.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from cfa.models.people import User


class AuditEvent(db.Model):
    """Who changed a legal record after the fact, when, from what to what, and why. Never deleted."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    entity: Mapped[str] = mapped_column(sa.String(40))  # e.g. "attendance_mark", "block_result"
    entity_id: Mapped[int]
    action: Mapped[str] = mapped_column(sa.String(40))  # e.g. "correct", "publish", "revoke"
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    # The parent record whose history page lists this event (e.g. the attendance sheet).
    context_entity: Mapped[str | None] = mapped_column(sa.String(40))
    context_id: Mapped[int | None]

    actor: Mapped["User | None"] = relationship()

    __table_args__ = (
        sa.Index("ix_audit_event_entity", "entity", "entity_id"),
        sa.Index("ix_audit_event_context", "context_entity", "context_id"),
        # The day's changes of one kind of record (planning notices read the sessions changed in a day).
        sa.Index("ix_audit_event_entity_at", "entity", "at"),
    )

    def __repr__(self) -> str:
        return f"<AuditEvent {self.entity}#{self.entity_id} {self.action}>"
