"""Company visits and tripartite meetings (apprentice, tutor, CFA's référent), their follow-up actions, and the
tutor's first-contact checklist: the coordination Qualiopi indicators 13 and 28 ask the CFA to show."""

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cfa.extensions import db
from cfa.models.base import LabelledEnum, TimestampMixin, UTCDateTime, enum_type, utcnow

if TYPE_CHECKING:
    from cfa.models.enrolments import Enrolment
    from cfa.models.people import User


class VisitKind(LabelledEnum):
    COMPANY_VISIT = "company_visit", "Visite en entreprise"
    TRIPARTITE = "tripartite", "Entretien tripartite"


class Visit(TimestampMixin, db.Model):
    """A visit planned, then held, with its report."""

    __tablename__ = "visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolment.id"), index=True)
    kind: Mapped[VisitKind] = mapped_column(enum_type(VisitKind, "visit_kind"))
    planned_on: Mapped[date]
    held_on: Mapped[date | None]
    place: Mapped[str | None] = mapped_column(sa.String(200))
    remote: Mapped[bool] = mapped_column(default=False)
    attendees: Mapped[str | None] = mapped_column(sa.Text)  # one person per line
    objectives: Mapped[str | None] = mapped_column(sa.Text)
    observations: Mapped[str | None] = mapped_column(sa.Text)
    decisions: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    enrolment: Mapped["Enrolment"] = relationship()
    created_by: Mapped["User | None"] = relationship()
    actions: Mapped[list["VisitAction"]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="VisitAction.id"
    )

    __table_args__ = (sa.Index("ix_visit_planned_on", "planned_on"),)

    def __repr__(self) -> str:
        return f"<Visit {self.enrolment_id} {self.planned_on}>"


class VisitAction(db.Model):
    """A follow-up decided at a visit, with who does it and by when."""

    __tablename__ = "visit_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(sa.String(300))
    owner: Mapped[str] = mapped_column(sa.String(120))  # "tuteur", "apprentie", "référente", or a name
    due_on: Mapped[date | None]
    done_on: Mapped[date | None]

    visit: Mapped[Visit] = relationship(back_populates="actions")

    def __repr__(self) -> str:
        return f"<VisitAction {self.visit_id} {self.description[:20]}>"


class OnboardingItem(LabelledEnum):
    """The tutor's first-contact checklist at the start of a contract."""

    WELCOME = "welcome", "Accueil de l'apprenti·e dans l'entreprise"
    TUTOR_TRAINING = "tutor_training", "Formation ou information du maître d'apprentissage"
    YEAR_PLAN = "year_plan", "Planning d'alternance reçu"
    LIVRET_EXPLAINED = "livret_explained", "Livret d'apprentissage présenté"


class OnboardingCheck(db.Model):
    """One item of the checklist, ticked by the tutor or the référent."""

    __tablename__ = "onboarding_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolment.id", ondelete="CASCADE"), index=True)
    item: Mapped[OnboardingItem] = mapped_column(enum_type(OnboardingItem, "onboarding_item"))
    ticked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ticked_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))

    ticked_by: Mapped["User"] = relationship()

    __table_args__ = (sa.UniqueConstraint("enrolment_id", "item"),)

    def __repr__(self) -> str:
        return f"<OnboardingCheck {self.enrolment_id} {self.item}>"
