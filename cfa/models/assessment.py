"""Assessment: evaluations during training (ECF), jury sessions, block results and awards."""

import datetime as dt
import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cfa.extensions import db
from cfa.models.base import LabelledEnum, TimestampMixin, UTCDateTime, enum_type, utcnow

# SQLAlchemy resolves these names from its registry at run time; importing them then would be circular.
if TYPE_CHECKING:
    from cfa.models.enrolments import Enrolment
    from cfa.models.people import User
    from cfa.models.planning import Cohort
    from cfa.models.programmes import MicroCertification, Module, Programme, SkillBlock


class EvaluationOutcome(LabelledEnum):
    ACQUIRED = "acquired", "Acquis"
    IN_PROGRESS = "in_progress", "En cours d'acquisition"
    NOT_ACQUIRED = "not_acquired", "Non acquis"
    ABSENT = "absent", "Absent·e"


class Evaluation(TimestampMixin, db.Model):
    """An evaluation during training (ECF) of one skill block, possibly through one module."""

    __tablename__ = "evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    skill_block_id: Mapped[int] = mapped_column(sa.ForeignKey("skill_block.id"))
    module_id: Mapped[int | None] = mapped_column(sa.ForeignKey("module.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(sa.String(200))
    date: Mapped[dt.date]
    trainer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    max_score: Mapped[int | None]  # None: the result is an outcome without a score

    cohort: Mapped["Cohort"] = relationship()
    skill_block: Mapped["SkillBlock"] = relationship()
    module: Mapped["Module | None"] = relationship()
    trainer: Mapped["User | None"] = relationship()
    results: Mapped[list["EvaluationResult"]] = relationship(back_populates="evaluation", cascade="all, delete-orphan")

    __table_args__ = (sa.CheckConstraint("max_score IS NULL OR max_score > 0", name="max_score_positive"),)

    def __repr__(self) -> str:
        return f"<Evaluation {self.title}>"


class EvaluationResult(TimestampMixin, db.Model):
    __tablename__ = "evaluation_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation.id", ondelete="CASCADE"))
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolment.id"), index=True)
    outcome: Mapped[EvaluationOutcome] = mapped_column(enum_type(EvaluationOutcome, "evaluation_outcome"))
    score: Mapped[int | None]
    comment: Mapped[str | None] = mapped_column(sa.Text)
    assessed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    evaluation: Mapped[Evaluation] = relationship(back_populates="results")
    enrolment: Mapped["Enrolment"] = relationship()
    assessed_by: Mapped["User | None"] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("evaluation_id", "enrolment_id"),
        sa.CheckConstraint("score IS NULL OR score >= 0", name="score_positive"),
    )


class JuryStatus(LabelledEnum):
    PLANNED = "planned", "Planifiée"
    HELD = "held", "Tenue, résultats en saisie"
    PUBLISHED = "published", "Résultats publiés"


class JurySession(TimestampMixin, db.Model):
    """A session de validation of a titre professionnel for a cohort."""

    __tablename__ = "jury_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id"), index=True)
    date: Mapped[dt.date]
    start_time: Mapped[str | None] = mapped_column(sa.String(5))  # "09:00" on the convocation
    place: Mapped[str] = mapped_column(sa.String(200))
    members: Mapped[str] = mapped_column(sa.Text)  # one jury member per line
    status: Mapped[JuryStatus] = mapped_column(enum_type(JuryStatus, "jury_status"), default=JuryStatus.PLANNED)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    cohort: Mapped["Cohort"] = relationship()
    candidates: Mapped[list["JuryCandidate"]] = relationship(
        back_populates="jury_session", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.CheckConstraint("status <> 'published' OR published_at IS NOT NULL", name="published_dated"),)

    def __repr__(self) -> str:
        return f"<JurySession {self.cohort_id} {self.date}>"


class Decision(LabelledEnum):
    OBTAINED = "obtained", "Titre obtenu"
    PARTIAL = "partial", "Obtention partielle (CCP)"
    NOT_OBTAINED = "not_obtained", "Titre non obtenu"
    ABSENT = "absent", "Absent·e à la session"


class JuryCandidate(TimestampMixin, db.Model):
    __tablename__ = "jury_candidate"

    id: Mapped[int] = mapped_column(primary_key=True)
    jury_session_id: Mapped[int] = mapped_column(sa.ForeignKey("jury_session.id", ondelete="CASCADE"))
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolment.id"), index=True)
    # When the convocation was issued: every print of it carries this date, never the day it is printed.
    convened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decision: Mapped[Decision | None] = mapped_column(enum_type(Decision, "decision"))

    jury_session: Mapped[JurySession] = relationship(back_populates="candidates")
    enrolment: Mapped["Enrolment"] = relationship()
    block_results: Mapped[list["BlockResult"]] = relationship(back_populates="candidate", cascade="all, delete-orphan")

    __table_args__ = (sa.UniqueConstraint("jury_session_id", "enrolment_id"),)

    def __repr__(self) -> str:
        return f"<JuryCandidate {self.enrolment_id} {self.decision}>"


class BlockResult(TimestampMixin, db.Model):
    """The jury's verdict on one CCP for one candidate."""

    __tablename__ = "block_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("jury_candidate.id", ondelete="CASCADE"))
    skill_block_id: Mapped[int] = mapped_column(sa.ForeignKey("skill_block.id"))
    acquired: Mapped[bool]
    comment: Mapped[str | None] = mapped_column(sa.Text)

    candidate: Mapped[JuryCandidate] = relationship(back_populates="block_results")
    skill_block: Mapped["SkillBlock"] = relationship()

    __table_args__ = (sa.UniqueConstraint("candidate_id", "skill_block_id"),)


class AwardKind(LabelledEnum):
    MICRO_CERTIFICATION = "micro_certification", "Micro-certification"
    SKILL_BLOCK = "skill_block", "Certificat de compétences professionnelles (CCP)"
    TITLE = "title", "Titre professionnel"


class Award(TimestampMixin, db.Model):
    """Something certified to a person, with a public verification code; revoked, never deleted.

    Acquired CCPs are awards too: they are the person's capitalised blocks, carried to later enrolments.
    """

    __tablename__ = "award"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AwardKind] = mapped_column(enum_type(AwardKind, "award_kind"))
    learner_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    micro_certification_id: Mapped[int | None] = mapped_column(sa.ForeignKey("micro_certification.id"))
    skill_block_id: Mapped[int | None] = mapped_column(sa.ForeignKey("skill_block.id"))
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programme.id"))
    jury_candidate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("jury_candidate.id"))
    awarded_on: Mapped[date]
    assessor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    evidence: Mapped[str | None] = mapped_column(sa.Text)
    verification_code: Mapped[str] = mapped_column(sa.String(32), unique=True, default=lambda: new_code())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    revocation_reason: Mapped[str | None] = mapped_column(sa.Text)

    learner: Mapped["User"] = relationship(foreign_keys=[learner_id])
    assessor: Mapped["User | None"] = relationship(foreign_keys=[assessor_id])
    micro_certification: Mapped["MicroCertification | None"] = relationship()
    skill_block: Mapped["SkillBlock | None"] = relationship()
    programme: Mapped["Programme | None"] = relationship()
    jury_candidate: Mapped[JuryCandidate | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(
            "(kind = 'micro_certification' AND micro_certification_id IS NOT NULL)"
            " OR (kind = 'skill_block' AND skill_block_id IS NOT NULL)"
            " OR (kind = 'title' AND programme_id IS NOT NULL)",
            name="kind_has_subject",
        ),
        sa.CheckConstraint("revoked_at IS NULL OR revocation_reason IS NOT NULL", name="revocation_has_reason"),
        # One award in force per person and certification; a revoked one may be given again.
        *(
            sa.Index(
                f"uq_award_held_{column}",
                "learner_id",
                column,
                unique=True,
                sqlite_where=sa.text(f"revoked_at IS NULL AND {column} IS NOT NULL"),
                postgresql_where=sa.text(f"revoked_at IS NULL AND {column} IS NOT NULL"),
            )
            for column in ("micro_certification_id", "skill_block_id", "programme_id")
        ),
    )

    def __repr__(self) -> str:
        return f"<Award {self.kind} {self.verification_code}>"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


def new_code() -> str:
    """A verification code that is easy to type: 12 characters without look-alikes."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))
