"""Agreements of short courses: the convention de formation with a client, the contrat with a person."""

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cfa.extensions import db
from cfa.models.base import LabelledEnum, TimestampMixin, UTCDateTime, enum_type

if TYPE_CHECKING:
    from cfa.models.people import Employer, User
    from cfa.models.planning import Cohort


class AgreementStatus(LabelledEnum):
    DRAFT = "draft", "Brouillon"
    SENT = "sent", "Envoyée"
    SIGNED = "signed", "Signée"
    CANCELLED = "cancelled", "Annulée"


class Agreement(TimestampMixin, db.Model):
    """A convention de formation with a client organisation (Code du travail L.6353-1), or a contrat de formation
    with a person who pays for themselves (L.6353-3: ten days to withdraw, fourteen when signed at a distance)."""

    __tablename__ = "agreement"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(20), unique=True)  # "CF-2025-0007", printed and quoted
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id"), index=True)
    employer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employer.id"), index=True)
    learner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    trainee_count: Mapped[int]
    price_cents: Mapped[int]  # tax included, for the whole agreement
    payment_terms: Mapped[str] = mapped_column(sa.Text)
    cancellation_terms: Mapped[str] = mapped_column(sa.Text)
    signed_at_distance: Mapped[bool] = mapped_column(default=False)
    status: Mapped[AgreementStatus] = mapped_column(
        enum_type(AgreementStatus, "agreement_status"), default=AgreementStatus.DRAFT
    )
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    cohort: Mapped["Cohort"] = relationship()
    employer: Mapped["Employer | None"] = relationship()
    learner: Mapped["User | None"] = relationship(foreign_keys=[learner_id])
    created_by: Mapped["User | None"] = relationship(foreign_keys=[created_by_id])

    __table_args__ = (
        # With an organisation or with a person, never both nor neither.
        sa.CheckConstraint("(employer_id IS NULL) <> (learner_id IS NULL)", name="one_party"),
        sa.CheckConstraint("trainee_count >= 1", name="trainee_count_positive"),
        sa.CheckConstraint("price_cents >= 0", name="price_positive"),
        sa.CheckConstraint("status <> 'signed' OR signed_on IS NOT NULL", name="signed_is_dated"),
    )

    def __repr__(self) -> str:
        return f"<Agreement {self.number}>"

    @property
    def is_contract(self) -> bool:
        """A contrat de formation with an individual rather than a convention with an organisation."""
        return self.learner_id is not None

    @property
    def withdrawal_days(self) -> int | None:
        if not self.is_contract:
            return None
        return 14 if self.signed_at_distance else 10
