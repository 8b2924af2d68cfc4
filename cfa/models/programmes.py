"""What is taught and certified: programmes, their skill blocks and modules, micro-certifications."""

from datetime import date, time
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cfa.extensions import db
from cfa.models.base import ChangedAtMixin, LabelledEnum, TimestampMixin, enum_type

if TYPE_CHECKING:
    from cfa.models.people import User


class ProgrammeKind(LabelledEnum):
    APPRENTICESHIP = "apprenticeship", "Titre professionnel par apprentissage"
    SHORT_COURSE = "short_course", "Formation courte"


class CourseAudience(LabelledEnum):
    """Whom a short course is for: the CFA's yearly figures are published per audience."""

    NEW_MEDIATORS = "new_mediators", "Nouveaux médiateurs (formation socle)"
    MEDIATION_PROFESSIONALS = "mediation_professionals", "Professionnels de la médiation"
    PUBLIC_RECEPTION = "public_reception", "Personnels en contact avec le public"
    PRISON_WORKSHOPS = "prison_workshops", "Ateliers du Vivre Ensemble en détention"


class ParticipationForm(LabelledEnum):
    ON_SITE = "on_site", "Présentiel"
    ONLINE = "online", "À distance"
    BLENDED = "blended", "Mixte"


class Programme(TimestampMixin, db.Model):
    """A titre professionnel taught in alternance, or a short training action (formation courte) for professionals.

    A short course is run as cohorts too (its sessions de formation), so that planning, attendance and documents
    follow one code path whatever the kind."""

    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ProgrammeKind] = mapped_column(
        enum_type(ProgrammeKind, "programme_kind"),
        default=ProgrammeKind.APPRENTICESHIP,
        server_default=ProgrammeKind.APPRENTICESHIP.value,
    )
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    level: Mapped[int | None]  # national qualification level (3 = CAP, 4 = Bac); none for a short course
    rncp_code: Mapped[str | None] = mapped_column(sa.String(12))
    rncp_valid_from: Mapped[date | None]
    rncp_valid_until: Mapped[date | None]
    certifier: Mapped[str] = mapped_column(sa.String(120), default="Ministère du Travail")
    total_minutes: Mapped[int]  # hours taught at the centre, in minutes (441 h = 26460)
    duration_months: Mapped[int | None]  # none for a short course, which lasts days
    description: Mapped[str | None] = mapped_column(sa.Text)
    # What a short course publishes before enrolment (Qualiopi indicator 1) and prints on its convention
    # (Code du travail L.6353-1): objectives, content, means, assessment, public, prerequisites, price, modality.
    audience: Mapped[CourseAudience | None] = mapped_column(enum_type(CourseAudience, "course_audience"))
    audience_detail: Mapped[str | None] = mapped_column(sa.Text)  # "public visé", in the CFA's words
    entry_course: Mapped[bool] = mapped_column(default=False, server_default=sa.false())  # the 6-day "socle"
    objectives: Mapped[str | None] = mapped_column(sa.Text)  # one objective per line
    content: Mapped[str | None] = mapped_column(sa.Text)
    teaching_methods: Mapped[str | None] = mapped_column(sa.Text)
    assessment_methods: Mapped[str | None] = mapped_column(sa.Text)
    prerequisites: Mapped[str | None] = mapped_column(sa.Text)
    price_cents: Mapped[int | None]  # per trainee, tax included, for an inter-company session
    modality: Mapped[ParticipationForm | None] = mapped_column(enum_type(ParticipationForm, "modality"))
    place: Mapped[str | None] = mapped_column(sa.String(200))  # where it usually runs, when not at a centre
    # Alternance rhythm: weeks at the centre, then weeks in the field, repeated.
    course_weeks: Mapped[int] = mapped_column(default=1)
    field_weeks: Mapped[int] = mapped_column(default=3)
    first_block_weeks: Mapped[int] = mapped_column(default=1)  # a longer opening block at the centre
    centre_days: Mapped[str] = mapped_column(sa.String(7), default="12345")  # ISO weekdays
    morning_start: Mapped[time] = mapped_column(default=time(9, 0))
    morning_end: Mapped[time] = mapped_column(default=time(12, 30))
    afternoon_start: Mapped[time] = mapped_column(default=time(13, 30))
    afternoon_end: Mapped[time] = mapped_column(default=time(17, 0))
    active: Mapped[bool] = mapped_column(default=True)

    skill_blocks: Mapped[list["SkillBlock"]] = relationship(
        back_populates="programme", order_by="SkillBlock.position", cascade="all, delete-orphan"
    )
    modules: Mapped[list["Module"]] = relationship(
        back_populates="programme", order_by="Module.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.CheckConstraint("total_minutes > 0", name="total_minutes_positive"),
        sa.CheckConstraint("duration_months > 0", name="duration_positive"),
        sa.CheckConstraint("level BETWEEN 1 AND 8", name="level_range"),
        # A title has a level and a length in months; a short course may have neither.
        sa.CheckConstraint(
            "kind = 'short_course' OR (level IS NOT NULL AND duration_months IS NOT NULL)", name="title_is_described"
        ),
        sa.CheckConstraint("price_cents IS NULL OR price_cents >= 0", name="price_positive"),
        sa.CheckConstraint("course_weeks >= 1 AND field_weeks >= 0", name="rhythm_positive"),
        sa.CheckConstraint("first_block_weeks >= 1", name="first_block_positive"),
        sa.CheckConstraint("length(centre_days) >= 1", name="centre_days_present"),
        sa.CheckConstraint("morning_end > morning_start", name="morning_ordered"),
        sa.CheckConstraint("afternoon_end > afternoon_start", name="afternoon_ordered"),
        sa.CheckConstraint("afternoon_start >= morning_end", name="half_days_ordered"),
    )

    def __repr__(self) -> str:
        return f"<Programme {self.code}>"

    @property
    def is_short_course(self) -> bool:
        return self.kind == ProgrammeKind.SHORT_COURSE

    @property
    def objective_lines(self) -> list[str]:
        return [line.strip() for line in (self.objectives or "").splitlines() if line.strip()]

    @property
    def hours_label(self) -> str:
        from cfa.formatting import minutes_label

        return minutes_label(self.total_minutes)


class SkillBlock(db.Model):
    """A CCP (certificat de compétences professionnelles): acquired and kept on its own."""

    __tablename__ = "skill_block"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programme.id", ondelete="CASCADE"))
    position: Mapped[int]
    code: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str | None] = mapped_column(sa.Text)

    programme: Mapped[Programme] = relationship(back_populates="skill_blocks")
    modules: Mapped[list["Module"]] = relationship(back_populates="skill_block", order_by="Module.position")

    __table_args__ = (
        sa.UniqueConstraint("programme_id", "position"),
        sa.UniqueConstraint("programme_id", "code"),
    )

    def __repr__(self) -> str:
        return f"<SkillBlock {self.code}>"


class Module(ChangedAtMixin, db.Model):
    """A teaching unit with an hour budget, placed in order by calendar generation."""

    __tablename__ = "module"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    skill_block_id: Mapped[int | None] = mapped_column(sa.ForeignKey("skill_block.id", ondelete="SET NULL"))
    position: Mapped[int]
    code: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(200))
    minutes: Mapped[int]  # hour budget, in minutes
    default_trainer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    programme: Mapped[Programme] = relationship(back_populates="modules")
    skill_block: Mapped[SkillBlock | None] = relationship(back_populates="modules")
    default_trainer: Mapped["User | None"] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("programme_id", "position"),
        sa.UniqueConstraint("programme_id", "code"),
        sa.CheckConstraint("minutes > 0", name="minutes_positive"),
    )

    def __repr__(self) -> str:
        return f"<Module {self.code}>"


micro_certification_block = sa.Table(
    "micro_certification_block",
    db.metadata,
    sa.Column(
        "micro_certification_id",
        sa.ForeignKey("micro_certification.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("skill_block_id", sa.ForeignKey("skill_block.id", ondelete="CASCADE"), primary_key=True),
)


class MicroCertification(TimestampMixin, db.Model):
    """A micro-credential with the elements of the EU Council Recommendation of 16 June 2022."""

    __tablename__ = "micro_certification"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    domain: Mapped[int]  # 1, 2 or 3: the CFA's three skill domains
    description: Mapped[str | None] = mapped_column(sa.Text)
    learning_outcomes: Mapped[str] = mapped_column(sa.Text)  # one outcome per line
    workload_minutes: Mapped[int]
    eqf_level: Mapped[int | None]
    assessment_method: Mapped[str] = mapped_column(sa.String(300))
    participation_form: Mapped[ParticipationForm] = mapped_column(
        enum_type(ParticipationForm, "participation_form"), default=ParticipationForm.ON_SITE
    )
    quality_assurance: Mapped[str] = mapped_column(sa.String(300), default="Organisme certifié Qualiopi")
    prerequisites: Mapped[str | None] = mapped_column(sa.Text)
    active: Mapped[bool] = mapped_column(default=True)

    skill_blocks: Mapped[list[SkillBlock]] = relationship(secondary=micro_certification_block)

    __table_args__ = (
        sa.CheckConstraint("workload_minutes > 0", name="workload_positive"),
        sa.CheckConstraint("domain BETWEEN 1 AND 3", name="domain_range"),
        sa.CheckConstraint("eqf_level IS NULL OR eqf_level BETWEEN 1 AND 8", name="eqf_range"),
    )

    def __repr__(self) -> str:
        return f"<MicroCertification {self.code}>"

    @property
    def outcomes(self) -> list[str]:
        return [line.strip() for line in self.learning_outcomes.splitlines() if line.strip()]


def apprenticeship_programme_ids() -> sa.Select:
    """SQL: the ids of the titles taught in apprenticeship, to keep short courses out of the apprenticeship lists."""
    return sa.select(Programme.id).where(Programme.kind == ProgrammeKind.APPRENTICESHIP)
