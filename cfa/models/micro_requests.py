"""Requests for a micro-certification: from the 6-day entry course or any employee, to an assessment and awards."""

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cfa.extensions import db
from cfa.models.base import LabelledEnum, TimestampMixin, UTCDateTime, enum_type
from cfa.models.enrolments import InvalidTransition

if TYPE_CHECKING:
    from cfa.models.assessment import Award
    from cfa.models.enrolments import Enrolment
    from cfa.models.people import User
    from cfa.models.programmes import MicroCertification


class RequestStatus(LabelledEnum):
    REQUESTED = "requested", "Demandée"
    SCHEDULED = "scheduled", "Évaluation planifiée"
    ASSESSED = "assessed", "Évaluée"
    WITHDRAWN = "withdrawn", "Retirée"


class MicroCertRequest(TimestampMixin, db.Model):
    """One person's request for the micro-certification in one or more of the three domains."""

    __tablename__ = "micro_cert_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    requested_on: Mapped[date]
    # The entry course ("socle") enrolment the request comes from, when it does.
    source_enrolment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("enrolment.id"), index=True)
    status: Mapped[RequestStatus] = mapped_column(
        enum_type(RequestStatus, "micro_request_status"), default=RequestStatus.REQUESTED
    )
    assessment_date: Mapped[date | None]
    assessor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    assessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawal_reason: Mapped[str | None] = mapped_column(sa.String(300))

    learner: Mapped["User"] = relationship(foreign_keys=[learner_id])
    requested_by: Mapped["User"] = relationship(foreign_keys=[requested_by_id])
    assessor: Mapped["User | None"] = relationship(foreign_keys=[assessor_id])
    source_enrolment: Mapped["Enrolment | None"] = relationship()
    domains: Mapped[list["MicroCertRequestDomain"]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="MicroCertRequestDomain.id"
    )

    __table_args__ = (
        sa.CheckConstraint(
            "status NOT IN ('scheduled', 'assessed') OR (assessment_date IS NOT NULL AND assessor_id IS NOT NULL)",
            name="assessment_planned",
        ),
        sa.CheckConstraint("status <> 'withdrawn' OR withdrawal_reason IS NOT NULL", name="withdrawal_explained"),
    )

    def __repr__(self) -> str:
        return f"<MicroCertRequest {self.learner_id} {self.status}>"

    def schedule(self, on: date, assessor_id: int) -> None:
        if self.status not in (RequestStatus.REQUESTED, RequestStatus.SCHEDULED):
            raise InvalidTransition("Seule une demande en attente peut être planifiée.")
        self.status = RequestStatus.SCHEDULED
        self.assessment_date = on
        self.assessor_id = assessor_id

    def mark_assessed(self, at: datetime) -> None:
        if self.status != RequestStatus.SCHEDULED:
            raise InvalidTransition("L'évaluation doit être planifiée avant d'en saisir les résultats.")
        self.status = RequestStatus.ASSESSED
        self.assessed_at = at

    def withdraw(self, reason: str) -> None:
        if self.status not in (RequestStatus.REQUESTED, RequestStatus.SCHEDULED):
            raise InvalidTransition("Une demande évaluée ou déjà retirée ne peut plus être retirée.")
        if not reason or not reason.strip():
            raise InvalidTransition("Le motif du retrait est obligatoire.")
        self.status = RequestStatus.WITHDRAWN
        self.withdrawal_reason = reason.strip()


class MicroCertRequestDomain(db.Model):
    """One domain asked for in a request, its result once assessed, and the award a success issued."""

    __tablename__ = "micro_cert_request_domain"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("micro_cert_request.id", ondelete="CASCADE"), index=True)
    micro_certification_id: Mapped[int] = mapped_column(sa.ForeignKey("micro_certification.id"), index=True)
    acquired: Mapped[bool | None]  # None until assessed
    comment: Mapped[str | None] = mapped_column(sa.Text)
    award_id: Mapped[int | None] = mapped_column(sa.ForeignKey("award.id"), index=True)

    request: Mapped[MicroCertRequest] = relationship(back_populates="domains")
    micro_certification: Mapped["MicroCertification"] = relationship()
    award: Mapped["Award | None"] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("request_id", "micro_certification_id"),
        sa.CheckConstraint("award_id IS NULL OR (acquired IS NOT NULL AND acquired)", name="award_only_when_acquired"),
    )

    def __repr__(self) -> str:
        return f"<MicroCertRequestDomain {self.request_id} {self.micro_certification_id} {self.acquired}>"
