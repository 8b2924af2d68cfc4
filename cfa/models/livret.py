"""The livret d'apprentissage: what the apprentice did at the company in each field period, evaluated by the tutor,
commented by the apprentice and by the CFA's référent (Qualiopi indicators 13 and 28)."""

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cfa.extensions import db
from cfa.models.base import LabelledEnum, TimestampMixin, UTCDateTime, enum_type

if TYPE_CHECKING:
    from cfa.models.enrolments import Enrolment
    from cfa.models.people import User
    from cfa.models.programmes import SkillBlock


class ActivityLevel(LabelledEnum):
    """The tutor's formative evaluation of one activity."""

    NOT_SEEN = "not_seen", "Non abordé"
    IN_PROGRESS = "in_progress", "En cours d'acquisition"
    ACQUIRED = "acquired", "Acquis"


class LivretEntry(TimestampMixin, db.Model):
    """One field period of one apprentice in the livret. Each part is dated and signed by its author; the entry
    is locked once the next period starts, and a correction after that is audited."""

    __tablename__ = "livret_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolment.id"), index=True)
    period_start: Mapped[date]  # the field period it covers (weeks at the employer)
    period_end: Mapped[date]
    tutor_comment: Mapped[str | None] = mapped_column(sa.Text)
    tutor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    tutor_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    apprentice_comment: Mapped[str | None] = mapped_column(sa.Text)
    apprentice_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    referent_comment: Mapped[str | None] = mapped_column(sa.Text)  # the centre's view
    referent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    referent_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    enrolment: Mapped["Enrolment"] = relationship()
    tutor: Mapped["User | None"] = relationship(foreign_keys=[tutor_id])
    referent: Mapped["User | None"] = relationship(foreign_keys=[referent_id])
    activities: Mapped[list["LivretActivity"]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="LivretActivity.position"
    )

    __table_args__ = (
        sa.UniqueConstraint("enrolment_id", "period_start"),
        sa.CheckConstraint("period_end >= period_start", name="dates_ordered"),
        sa.CheckConstraint("tutor_signed_at IS NULL OR tutor_id IS NOT NULL", name="tutor_signature_named"),
        sa.CheckConstraint("referent_signed_at IS NULL OR referent_id IS NOT NULL", name="referent_signature_named"),
    )

    def __repr__(self) -> str:
        return f"<LivretEntry {self.enrolment_id} {self.period_start}>"


class LivretActivity(db.Model):
    """An activity done at the company, tied to a skill block of the title, with its formative evaluation."""

    __tablename__ = "livret_activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("livret_entry.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    skill_block_id: Mapped[int | None] = mapped_column(sa.ForeignKey("skill_block.id", ondelete="SET NULL"))
    description: Mapped[str] = mapped_column(sa.String(300))
    level: Mapped[ActivityLevel] = mapped_column(enum_type(ActivityLevel, "activity_level"))
    comment: Mapped[str | None] = mapped_column(sa.Text)

    entry: Mapped[LivretEntry] = relationship(back_populates="activities")
    skill_block: Mapped["SkillBlock | None"] = relationship()

    __table_args__ = (sa.UniqueConstraint("entry_id", "position"),)

    def __repr__(self) -> str:
        return f"<LivretActivity {self.entry_id} {self.level}>"
