"""Quality (Qualiopi): satisfaction surveys, complaints, improvement actions, the indicator referential."""

import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cfa.extensions import db
from cfa.models.base import LabelledEnum, TimestampMixin, UTCDateTime, enum_type, utcnow

if TYPE_CHECKING:
    from cfa.models.people import User
    from cfa.models.planning import Cohort


class QualityIndicator(db.Model):
    """One indicator of the Référentiel national qualité, kept as data because the referential evolves."""

    __tablename__ = "quality_indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(sa.String(20))  # e.g. "RNQ v9 (2024)"
    number: Mapped[int]
    criterion: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(300))

    __table_args__ = (
        sa.UniqueConstraint("version", "number"),
        sa.CheckConstraint("criterion BETWEEN 1 AND 7", name="criterion_range"),
    )

    def __repr__(self) -> str:
        return f"<QualityIndicator {self.version} #{self.number}>"


class Audience(LabelledEnum):
    APPRENTICE = "apprentice", "Apprenti·es"
    EMPLOYER = "employer", "Employeurs et tuteurs"
    TRAINER = "trainer", "Formateur·rices"
    FUNDER = "funder", "Financeurs"
    LEARNER = "learner", "Stagiaires"


class SurveyTiming(LabelledEnum):
    HOT = "hot", "À chaud (fin de formation)"
    COLD = "cold", "À froid (6 mois après)"
    ONGOING = "ongoing", "En cours de formation"


class Survey(TimestampMixin, db.Model):
    """A questionnaire, reused across campaigns."""

    __tablename__ = "survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    audience: Mapped[Audience] = mapped_column(enum_type(Audience, "audience"))
    timing: Mapped[SurveyTiming] = mapped_column(enum_type(SurveyTiming, "survey_timing"))
    introduction: Mapped[str | None] = mapped_column(sa.Text)
    active: Mapped[bool] = mapped_column(default=True)

    questions: Mapped[list["SurveyQuestion"]] = relationship(
        back_populates="survey", order_by="SurveyQuestion.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Survey {self.title}>"


class QuestionKind(LabelledEnum):
    SCALE = "scale", "Échelle de 1 à 5"
    YES_NO = "yes_no", "Oui / non"
    CHOICE = "choice", "Choix unique"
    TEXT = "text", "Texte libre"


class SurveyQuestion(db.Model):
    __tablename__ = "survey_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id", ondelete="CASCADE"))
    position: Mapped[int]
    text: Mapped[str] = mapped_column(sa.String(300))
    kind: Mapped[QuestionKind] = mapped_column(enum_type(QuestionKind, "question_kind"))
    choices: Mapped[list | None] = mapped_column(sa.JSON)  # for CHOICE questions
    required: Mapped[bool] = mapped_column(default=True)
    # What an indicator reads from this question, e.g. "overall_satisfaction", "situation_6_months".
    measure: Mapped[str | None] = mapped_column(sa.String(40))

    survey: Mapped[Survey] = relationship(back_populates="questions")

    __table_args__ = (sa.UniqueConstraint("survey_id", "position"),)


class SurveyCampaign(TimestampMixin, db.Model):
    """One sending of a survey to a group (a cohort's apprentices, their employers...)."""

    __tablename__ = "survey_campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id"))
    cohort_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cohort.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    opens_on: Mapped[date]
    closes_on: Mapped[date]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    survey: Mapped[Survey] = relationship()
    cohort: Mapped["Cohort | None"] = relationship()
    invitations: Mapped[list["SurveyInvitation"]] = relationship(back_populates="campaign")

    __table_args__ = (sa.CheckConstraint("closes_on >= opens_on", name="dates_ordered"),)


class SurveyInvitation(db.Model):
    """A personal, single-use link to answer a campaign; the answers themselves stay anonymous."""

    __tablename__ = "survey_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_campaign.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    email: Mapped[str] = mapped_column(sa.String(254))
    token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=lambda: secrets.token_urlsafe(32))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    campaign: Mapped[SurveyCampaign] = relationship(back_populates="invitations")
    user: Mapped["User | None"] = relationship()

    __table_args__ = (sa.UniqueConstraint("campaign_id", "email"),)


class SurveyResponse(db.Model):
    __tablename__ = "survey_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_campaign.id", ondelete="CASCADE"), index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    campaign: Mapped[SurveyCampaign] = relationship()
    answers: Mapped[list["Answer"]] = relationship(back_populates="response", cascade="all, delete-orphan")


class Answer(db.Model):
    __tablename__ = "answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_response.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_question.id"))
    value_int: Mapped[int | None]  # scale (1-5) and yes/no (1/0)
    value_text: Mapped[str | None] = mapped_column(sa.Text)  # choice and free text

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")
    question: Mapped[SurveyQuestion] = relationship()

    __table_args__ = (sa.UniqueConstraint("response_id", "question_id"),)


class ComplaintStatus(LabelledEnum):
    RECEIVED = "received", "Reçue"
    IN_PROGRESS = "in_progress", "En cours de traitement"
    ANSWERED = "answered", "Réponse apportée"
    CLOSED = "closed", "Close"


class Complaint(TimestampMixin, db.Model):
    """A réclamation and how it was handled (Qualiopi indicator 31)."""

    __tablename__ = "complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_on: Mapped[date]
    channel: Mapped[str] = mapped_column(sa.String(40))  # e-mail, phone, letter, in person
    complainant_name: Mapped[str] = mapped_column(sa.String(120))
    complainant_kind: Mapped[Audience] = mapped_column(enum_type(Audience, "complainant_kind"))
    cohort_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cohort.id"))
    subject: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[ComplaintStatus] = mapped_column(
        enum_type(ComplaintStatus, "complaint_status"), default=ComplaintStatus.RECEIVED
    )
    handled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    response: Mapped[str | None] = mapped_column(sa.Text)
    answered_on: Mapped[date | None]
    closed_on: Mapped[date | None]

    handled_by: Mapped["User | None"] = relationship()
    cohort: Mapped["Cohort | None"] = relationship()
    actions: Mapped[list["ImprovementAction"]] = relationship(back_populates="complaint")

    __table_args__ = (
        sa.CheckConstraint(
            "status NOT IN ('answered', 'closed') OR (response IS NOT NULL AND answered_on IS NOT NULL)",
            name="answer_recorded",
        ),
    )


class ActionStatus(LabelledEnum):
    PLANNED = "planned", "Prévue"
    IN_PROGRESS = "in_progress", "En cours"
    DONE = "done", "Réalisée"
    ABANDONED = "abandoned", "Abandonnée"


class ActionSource(LabelledEnum):
    COMPLAINT = "complaint", "Réclamation"
    SURVEY = "survey", "Enquête de satisfaction"
    AUDIT = "audit", "Audit"
    TEAM = "team", "Équipe"
    OTHER = "other", "Autre"


improvement_action_indicator = sa.Table(
    "improvement_action_indicator",
    db.metadata,
    sa.Column("action_id", sa.ForeignKey("improvement_action.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("indicator_id", sa.ForeignKey("quality_indicator.id", ondelete="CASCADE"), primary_key=True),
)


class ImprovementAction(TimestampMixin, db.Model):
    """An improvement measure drawn from appraisals and complaints (Qualiopi indicator 32)."""

    __tablename__ = "improvement_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text)
    source: Mapped[ActionSource] = mapped_column(enum_type(ActionSource, "action_source"))
    complaint_id: Mapped[int | None] = mapped_column(sa.ForeignKey("complaint.id", ondelete="SET NULL"))
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("survey_campaign.id", ondelete="SET NULL"))
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    due_on: Mapped[date | None]
    status: Mapped[ActionStatus] = mapped_column(enum_type(ActionStatus, "action_status"), default=ActionStatus.PLANNED)
    done_on: Mapped[date | None]
    effectiveness: Mapped[str | None] = mapped_column(sa.Text)  # how the effect was checked

    complaint: Mapped[Complaint | None] = relationship(back_populates="actions")
    campaign: Mapped[SurveyCampaign | None] = relationship()
    owner: Mapped["User | None"] = relationship()
    indicators: Mapped[list[QualityIndicator]] = relationship(secondary=improvement_action_indicator)

    __table_args__ = (sa.CheckConstraint("status <> 'done' OR done_on IS NOT NULL", name="done_dated"),)
