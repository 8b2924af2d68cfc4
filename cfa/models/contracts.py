"""An apprentice's contracts: the employer periods of an enrolment (employer, tutor, dates, funder), the rupture
that ends one early, and the funder's milestones paid on each (décret 2025-585)."""

from datetime import date
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cfa.extensions import db
from cfa.models.base import LabelledEnum, TimestampMixin, enum_type
from cfa.models.people import Employer, User

if TYPE_CHECKING:
    from cfa.models.enrolments import Enrolment


class RuptureParty(LabelledEnum):
    APPRENTICE = "apprentice", "L'apprenti·e"
    EMPLOYER = "employer", "L'employeur"
    BOTH = "both", "Les deux parties"
    JUDGE = "judge", "Le conseil de prud'hommes"


class RuptureCause(LabelledEnum):
    TRIAL_PERIOD = "trial_period", "Fin de période d'essai"
    MUTUAL_AGREEMENT = "mutual_agreement", "Accord commun"
    DISMISSAL = "dismissal", "Licenciement"
    RESIGNATION = "resignation", "Démission"
    JUDICIAL = "judicial", "Résiliation judiciaire"
    OTHER = "other", "Autre cause"


class SearchOutcome(LabelledEnum):
    """How the six months a trainee without employer may spend at the CFA ended (Code du travail, L.6222-18-2)."""

    NEW_EMPLOYER = "new_employer", "Nouvel employeur trouvé"
    LEFT = "left", "A quitté le CFA"
    OTHER = "other", "Autre issue"


class EmployerPeriod(TimestampMixin, db.Model):
    """One contract of an enrolment: who employed the apprentice, from when to when, who paid the CFA."""

    __tablename__ = "employer_period"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolment.id", ondelete="CASCADE"), index=True)
    employer_id: Mapped[int] = mapped_column(sa.ForeignKey("employer.id"), index=True)
    tutor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]  # the contract's planned end
    opco: Mapped[str | None] = mapped_column(sa.String(80))  # the funder of this contract, copied when it starts
    salary_scale: Mapped[str | None] = mapped_column(sa.String(80))
    # A rupture: the contract's last day, who ended it and why (funding stops that day); who is unknown for the
    # ruptures recorded before contracts had their own file.
    ended_on: Mapped[date | None]
    ended_by: Mapped[RuptureParty | None] = mapped_column(enum_type(RuptureParty, "rupture_party"))
    end_cause: Mapped[RuptureCause | None] = mapped_column(enum_type(RuptureCause, "rupture_cause"))

    employer: Mapped[Employer] = relationship()
    tutor: Mapped[User | None] = relationship()
    enrolment: Mapped["Enrolment"] = relationship(back_populates="employer_periods")

    __table_args__ = (
        sa.CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        sa.CheckConstraint(
            "(ended_on IS NULL) = (end_cause IS NULL) AND (ended_on IS NOT NULL OR ended_by IS NULL)",
            name="rupture_documented",
        ),
    )

    @property
    def last_day(self) -> date:
        return self.ended_on or self.ends_on

    @property
    def broken(self) -> bool:
        return self.ended_on is not None

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.last_day


class MilestoneKind(LabelledEnum):
    """The OPCO's payments on a contract (décret 2025-585): share of the price, and when it falls due."""

    ADVANCE = "advance", "Avance (40 %)"
    MONTH_7 = "month_7", "7e mois (30 %)"
    MONTH_10 = "month_10", "10e mois (20 %)"
    BALANCE = "balance", "Solde sur certificat de réalisation (10 %)"


class FundingPayment(TimestampMixin, db.Model):
    """A milestone the OPCO paid on a contract, as the CFA entered it (expected dates are computed)."""

    __tablename__ = "funding_payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_period_id: Mapped[int] = mapped_column(sa.ForeignKey("employer_period.id", ondelete="CASCADE"), index=True)
    kind: Mapped[MilestoneKind] = mapped_column(enum_type(MilestoneKind, "milestone_kind"))
    received_on: Mapped[date]
    amount_cents: Mapped[int]

    __table_args__ = (
        sa.UniqueConstraint("employer_period_id", "kind"),
        sa.CheckConstraint("amount_cents >= 0", name="amount_positive"),
    )
