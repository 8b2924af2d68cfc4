"""Enrolments: an apprentice's contract in a cohort, with employer and tutor."""

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cfa.extensions import db
from cfa.models.base import LabelledEnum, TimestampMixin, UTCDateTime, enum_type
from cfa.models.contracts import EmployerPeriod, SearchOutcome

if TYPE_CHECKING:
    from cfa.models.people import Employer, User
    from cfa.models.planning import Cohort


class EnrolmentStatus(LabelledEnum):
    ACTIVE = "active", "En cours"
    COMPLETED = "completed", "Terminé"
    INTERRUPTED = "interrupted", "Interrompu"


class InterruptionKind(LabelledEnum):
    # Rupture and interruption are published apart (Code du travail, L.6111-8).
    RUPTURE = "rupture", "Rupture du contrat d'apprentissage"
    DROPOUT = "dropout", "Abandon de la formation"
    REORIENTATION = "reorientation", "Réorientation"
    OTHER = "other", "Autre motif"


class ObjectiveOutcome(LabelledEnum):
    """The assessment of what a short-course trainee learnt, printed on the attestation de fin de formation."""

    REACHED = "reached", "Objectifs atteints"
    PARTLY = "partly", "Objectifs partiellement atteints"
    NOT_REACHED = "not_reached", "Objectifs non atteints"


class InvalidTransition(ValueError):
    """A status change the enrolment's life cycle does not allow."""


class Enrolment(TimestampMixin, db.Model):
    """A learner in a cohort: an apprentice's contract, or a trainee's place in a short course (then the dates are
    the course's, the employer is the trainee's own, a client or none for a person paying for themselves)."""

    __tablename__ = "enrolment"

    id: Mapped[int] = mapped_column(primary_key=True)
    apprentice_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id"), index=True)
    employer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employer.id"), index=True)
    tutor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    # The CFA's référent (a trainer or staff member) who follows this apprentice: livret, visits, alerts.
    referent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    contract_start: Mapped[date]
    contract_end: Mapped[date]
    status: Mapped[EnrolmentStatus] = mapped_column(
        enum_type(EnrolmentStatus, "enrolment_status"), default=EnrolmentStatus.ACTIVE
    )
    interrupted_on: Mapped[date | None]
    interruption_kind: Mapped[InterruptionKind | None] = mapped_column(enum_type(InterruptionKind, "interruption_kind"))
    interruption_reason: Mapped[str | None] = mapped_column(sa.Text)
    # Short courses: who registered the trainee (the client's contact or the CFA), when they were convened, and
    # the end-of-course assessment printed on the attestation de fin de formation (L.6353-1).
    registered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    convened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[ObjectiveOutcome | None] = mapped_column(enum_type(ObjectiveOutcome, "objective_outcome"))
    outcome_note: Mapped[str | None] = mapped_column(sa.Text)
    # After a rupture the apprentice may stay up to six months as a trainee without employer (L.6222-18-2):
    # from when, and how that search ended (a new employer, leaving the CFA...), on which day.
    without_employer_since: Mapped[date | None]
    search_outcome: Mapped["SearchOutcome | None"] = mapped_column(enum_type(SearchOutcome, "search_outcome"))
    search_ended_on: Mapped[date | None]

    apprentice: Mapped["User"] = relationship(foreign_keys=[apprentice_id])
    registered_by: Mapped["User | None"] = relationship(foreign_keys=[registered_by_id])
    tutor: Mapped["User | None"] = relationship(foreign_keys=[tutor_id])
    referent: Mapped["User | None"] = relationship(foreign_keys=[referent_id])
    employer: Mapped["Employer | None"] = relationship()
    cohort: Mapped["Cohort"] = relationship(back_populates="enrolments")
    # Its contracts, oldest first: employer_id and tutor_id above are the running one's (None between two).
    employer_periods: Mapped[list["EmployerPeriod"]] = relationship(
        back_populates="enrolment",
        order_by="EmployerPeriod.starts_on",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __table_args__ = (
        sa.UniqueConstraint("apprentice_id", "cohort_id"),
        sa.CheckConstraint("contract_end >= contract_start", name="contract_dates_ordered"),
        sa.CheckConstraint(
            "(status = 'interrupted') = (interrupted_on IS NOT NULL AND interruption_reason IS NOT NULL)",
            name="interruption_documented",
        ),
    )

    def __repr__(self) -> str:
        return f"<Enrolment {self.apprentice_id} in {self.cohort_id}>"

    @property
    def last_day(self) -> date:
        """The last day the apprentice belongs to the cohort (the day of a rupture included)."""
        return self.interrupted_on or self.contract_end

    def is_enrolled_on(self, day: date) -> bool:
        return self.contract_start <= day <= self.last_day

    def interrupt(self, on: date, kind: InterruptionKind, reason: str) -> None:
        if self.status != EnrolmentStatus.ACTIVE:
            raise InvalidTransition("Seule une inscription en cours peut être interrompue.")
        if not reason or not reason.strip():
            raise InvalidTransition("Le motif de l'interruption est obligatoire.")
        if on < self.contract_start:
            raise InvalidTransition("La date d'interruption précède le début du contrat.")
        if on > self.contract_end:
            raise InvalidTransition("La date d'interruption suit la fin du contrat.")
        self.status = EnrolmentStatus.INTERRUPTED
        self.interrupted_on = on
        self.interruption_kind = kind
        self.interruption_reason = reason.strip()

    def complete(self) -> None:
        if self.status != EnrolmentStatus.ACTIVE:
            raise InvalidTransition("Seule une inscription en cours peut être terminée.")
        self.status = EnrolmentStatus.COMPLETED

    def reopen(self) -> None:
        """Undo an interruption entered by mistake."""
        if self.status == EnrolmentStatus.ACTIVE:
            raise InvalidTransition("L'inscription est déjà en cours.")
        self.status = EnrolmentStatus.ACTIVE
        self.interrupted_on = None
        self.interruption_kind = None
        self.interruption_reason = None
