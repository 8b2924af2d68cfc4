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


class IndicatorScope(LabelledEnum):
    """Which providers an indicator applies to (guide de lecture du RNQ)."""

    ALL = "all", "Tous les prestataires"
    CFA = "cfa", "CFA uniquement"
    WORK_LINKED = "work_linked", "Formations en alternance"
    CERTIFYING = "certifying", "Formations certifiantes"


class QualityIndicator(db.Model):
    """One indicator of the Référentiel national qualité, kept as data because the referential evolves."""

    __tablename__ = "quality_indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(sa.String(20))  # e.g. "RNQ v9 (2024)"
    number: Mapped[int]
    criterion: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(300))
    scope: Mapped[IndicatorScope] = mapped_column(
        enum_type(IndicatorScope, "indicator_scope"), default=IndicatorScope.ALL, server_default="all"
    )
    evidence: Mapped[str | None] = mapped_column(sa.Text)  # what Cadence holds for it, in the CFA's words

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
    """One version of a questionnaire template. A version that has been sent is never edited: editing it makes a
    new version of the same family, so past answers keep the questions they answered."""

    __tablename__ = "survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    family: Mapped[str] = mapped_column(sa.String(40), server_default="")  # stable key of the template's versions
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    title: Mapped[str] = mapped_column(sa.String(200))
    audience: Mapped[Audience] = mapped_column(enum_type(Audience, "audience"))
    timing: Mapped[SurveyTiming] = mapped_column(enum_type(SurveyTiming, "survey_timing"))
    introduction: Mapped[str | None] = mapped_column(sa.Text)
    active: Mapped[bool] = mapped_column(default=True)

    questions: Mapped[list["SurveyQuestion"]] = relationship(
        back_populates="survey", order_by="SurveyQuestion.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("family", "version"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
    )

    def __repr__(self) -> str:
        return f"<Survey {self.family} v{self.version}>"


class QuestionKind(LabelledEnum):
    SCALE = "scale", "Échelle de 1 à 5"
    YES_NO = "yes_no", "Oui / non"
    NPS = "nps", "Recommandation de 0 à 10"
    CHOICE = "choice", "Choix unique"
    MULTIPLE = "multiple", "Choix multiples"
    TEXT = "text", "Texte libre"


class SurveyQuestion(db.Model):
    __tablename__ = "survey_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id", ondelete="CASCADE"))
    position: Mapped[int]
    text: Mapped[str] = mapped_column(sa.String(300))
    kind: Mapped[QuestionKind] = mapped_column(enum_type(QuestionKind, "question_kind"))
    choices: Mapped[list | None] = mapped_column(sa.JSON)  # for CHOICE and MULTIPLE questions
    required: Mapped[bool] = mapped_column(default=True)
    # What an indicator reads from this question, e.g. "overall_satisfaction", "situation_6_months".
    measure: Mapped[str | None] = mapped_column(sa.String(40))

    survey: Mapped[Survey] = relationship(back_populates="questions")

    __table_args__ = (
        sa.UniqueConstraint("survey_id", "position"),
        sa.Index("ix_survey_question_survey_id", "survey_id"),
    )


class SurveyCampaign(TimestampMixin, db.Model):
    """One sending of a survey to a group (a cohort's apprentices, their employers...)."""

    __tablename__ = "survey_campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id"), index=True)
    # The cohort or short-course session whose people are surveyed (none: trainers, funders, a whole year).
    cohort_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cohort.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    opens_on: Mapped[date]
    closes_on: Mapped[date]
    # Anonymous: no answer can be traced to a person, yet each invitation answers once.
    anonymous: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    launched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # invitations sent; the survey is frozen
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    survey: Mapped[Survey] = relationship()
    cohort: Mapped["Cohort | None"] = relationship()
    invitations: Mapped[list["SurveyInvitation"]] = relationship(back_populates="campaign")

    __table_args__ = (sa.CheckConstraint("closes_on >= opens_on", name="dates_ordered"),)


class SurveyInvitation(db.Model):
    """A personal, single-use link to answer a campaign; the answers themselves stay anonymous."""

    __tablename__ = "survey_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_campaign.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    # Funders' contacts (OPCO) have no account: their name and organisation are kept with the address.
    email: Mapped[str] = mapped_column(sa.String(254))
    name: Mapped[str | None] = mapped_column(sa.String(160))
    organisation: Mapped[str | None] = mapped_column(sa.String(160))
    token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=lambda: secrets.token_urlsafe(32))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminders: Mapped[int] = mapped_column(default=0, server_default="0")
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    campaign: Mapped[SurveyCampaign] = relationship(back_populates="invitations")
    user: Mapped["User | None"] = relationship()

    __table_args__ = (sa.UniqueConstraint("campaign_id", "email"),)


class SurveyResponse(db.Model):
    __tablename__ = "survey_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_campaign.id", ondelete="CASCADE"), index=True)
    # Only in a campaign that is not anonymous; an anonymous answer keeps no link to its invitation.
    invitation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("survey_invitation.id", ondelete="SET NULL"), unique=True
    )
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    campaign: Mapped[SurveyCampaign] = relationship()
    answers: Mapped[list["Answer"]] = relationship(back_populates="response", cascade="all, delete-orphan")


class Answer(db.Model):
    __tablename__ = "answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_response.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_question.id"), index=True)
    value_int: Mapped[int | None]  # scale (1-5), recommendation (0-10) and yes/no (1/0)
    value_text: Mapped[str | None] = mapped_column(sa.Text)  # single choice and free text
    value_choices: Mapped[list | None] = mapped_column(sa.JSON)  # multiple choice

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")
    question: Mapped[SurveyQuestion] = relationship()

    __table_args__ = (sa.UniqueConstraint("response_id", "question_id"),)


class ComplaintStatus(LabelledEnum):
    RECEIVED = "received", "Reçue"
    ACKNOWLEDGED = "acknowledged", "Accusé de réception envoyé"
    IN_PROGRESS = "in_progress", "En cours de traitement"
    ANSWERED = "answered", "Réponse apportée"
    ANALYSED = "analysed", "Analysée"
    CLOSED = "closed", "Close"


class Complaint(TimestampMixin, db.Model):
    """A réclamation and how it was handled (Qualiopi indicator 31)."""

    __tablename__ = "complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_on: Mapped[date]
    channel: Mapped[str] = mapped_column(sa.String(40))  # e-mail, phone, letter, in person
    complainant_name: Mapped[str] = mapped_column(sa.String(120))
    complainant_kind: Mapped[Audience] = mapped_column(enum_type(Audience, "complainant_kind"))
    # The account that filed it from its portal (none when it came by mail or phone): it reads its own only.
    complainant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cohort.id"), index=True)
    subject: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[ComplaintStatus] = mapped_column(
        enum_type(ComplaintStatus, "complaint_status"), default=ComplaintStatus.RECEIVED
    )
    handled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    response: Mapped[str | None] = mapped_column(sa.Text)
    # The procedure's steps (Qualiopi 31: acknowledge, answer, analyse), each dated against the CFA's targets.
    acknowledged_on: Mapped[date | None]
    answered_on: Mapped[date | None]
    analysis: Mapped[str | None] = mapped_column(sa.Text)
    analysed_on: Mapped[date | None]
    closed_on: Mapped[date | None]

    handled_by: Mapped["User | None"] = relationship(foreign_keys=[handled_by_id])
    complainant: Mapped["User | None"] = relationship(foreign_keys=[complainant_id])
    cohort: Mapped["Cohort | None"] = relationship()
    actions: Mapped[list["ImprovementAction"]] = relationship(back_populates="complaint")

    __table_args__ = (
        sa.CheckConstraint(
            "status NOT IN ('answered', 'analysed', 'closed') OR (response IS NOT NULL AND answered_on IS NOT NULL)",
            name="answer_recorded",
        ),
        sa.CheckConstraint("status <> 'analysed' OR analysed_on IS NOT NULL", name="analysis_dated"),
        sa.CheckConstraint("status <> 'closed' OR closed_on IS NOT NULL", name="closing_dated"),
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
    complaint_id: Mapped[int | None] = mapped_column(sa.ForeignKey("complaint.id", ondelete="SET NULL"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("survey_campaign.id", ondelete="SET NULL"), index=True
    )
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    due_on: Mapped[date | None]
    status: Mapped[ActionStatus] = mapped_column(enum_type(ActionStatus, "action_status"), default=ActionStatus.PLANNED)
    done_on: Mapped[date | None]
    evidence: Mapped[str | None] = mapped_column(sa.Text)  # what shows it was done (document, date, place)
    effectiveness: Mapped[str | None] = mapped_column(sa.Text)  # how the effect was checked

    complaint: Mapped[Complaint | None] = relationship(back_populates="actions")
    campaign: Mapped[SurveyCampaign | None] = relationship()
    owner: Mapped["User | None"] = relationship()
    indicators: Mapped[list[QualityIndicator]] = relationship(secondary=improvement_action_indicator)

    __table_args__ = (sa.CheckConstraint("status <> 'done' OR done_on IS NOT NULL", name="done_dated"),)


class DeclaredRateKind(LabelledEnum):
    """Rates the State computes from national data (InserJeunes, DSN): the CFA enters them as published."""

    CONTINUATION = "continuation", "Taux de poursuite d'études"
    INTEGRATION_6 = "integration_6", "Taux d'insertion professionnelle à 6 mois"
    INTEGRATION_12 = "integration_12", "Taux d'insertion professionnelle à 12 mois"
    ADDED_VALUE = "added_value", "Valeur ajoutée de l'établissement"


class DeclaredRate(TimestampMixin, db.Model):
    """A published figure the CFA did not compute (Code du travail L.6111-8), kept with its year, source and date,
    and shown labelled as declared, beside Cadence's own survey-based estimate."""

    __tablename__ = "declared_rate"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programme.id"), index=True)  # none: the CFA
    year: Mapped[int]
    kind: Mapped[DeclaredRateKind] = mapped_column(enum_type(DeclaredRateKind, "declared_rate_kind"))
    value_percent: Mapped[int | None]  # None: published as "effectif insuffisant"
    population: Mapped[int | None]
    source: Mapped[str] = mapped_column(sa.String(200))  # e.g. "InserJeunes, publication de juin 2026"
    published_on: Mapped[date]
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    __table_args__ = (
        sa.UniqueConstraint("programme_id", "year", "kind"),
        sa.CheckConstraint("value_percent IS NULL OR value_percent BETWEEN 0 AND 100", name="percent_range"),
    )

    def __repr__(self) -> str:
        return f"<DeclaredRate {self.kind} {self.year}>"


class ExportStatus(LabelledEnum):
    QUEUED = "queued", "En attente"
    RUNNING = "running", "En cours"
    DONE = "done", "Prêt"
    FAILED = "failed", "Échec"


class ExportJob(TimestampMixin, db.Model):
    """A long export (the Qualiopi audit file) run outside the request; the finished file waits for download."""

    __tablename__ = "export_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))  # "audit_xlsx", "audit_pdf"
    parameters: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # year, centre...
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    status: Mapped[ExportStatus] = mapped_column(enum_type(ExportStatus, "export_status"), default=ExportStatus.QUEUED)
    progress: Mapped[int] = mapped_column(default=0)  # percent
    file_path: Mapped[str | None] = mapped_column(sa.String(300))  # relative to the exports folder
    error: Mapped[str | None] = mapped_column(sa.String(300))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (sa.CheckConstraint("progress BETWEEN 0 AND 100", name="progress_range"),)

    def __repr__(self) -> str:
        return f"<ExportJob {self.kind} {self.status}>"


class AttendanceSnapshot(db.Model):
    """A closed year's attendance total for one scope of the quality dashboard, kept once computed because it sums
    a year of the network's marks (services/attendance_snapshots.py says when it is forgotten)."""

    __tablename__ = "attendance_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(80), unique=True)  # year and filters: "2025/centre/programme/cohort"
    year: Mapped[int] = mapped_column(index=True)
    attended: Mapped[int] = mapped_column(sa.BigInteger)  # minutes
    scheduled: Mapped[int] = mapped_column(sa.BigInteger)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The versions of its year and of every year (AttendanceYearVersion) read before it was computed.
    year_version: Mapped[int] = mapped_column(default=0)
    all_version: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<AttendanceSnapshot {self.key}>"


class AttendanceYearVersion(db.Model):
    """How many writes a closed year's marks and half-days have had (year 0: writes that concern every year). A
    kept total is good only under the versions it was computed at: a write that commits while a total is being
    computed leaves it stale, and a deleted row could not say so."""

    __tablename__ = "attendance_year_version"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<AttendanceYearVersion {self.year}: {self.version}>"
