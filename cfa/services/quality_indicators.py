"""The quality dashboard's figures (Qualiopi indicators 2, 3, 12, 29-32; Code du travail L.6111-8), each with its
numerator, denominator and definition (DOMAIN-FACTS §4). A figure over an empty population has no value: the
page says "pas de données", never 0 % and never a division by zero.

Satisfaction reads the one definition of services/satisfaction.py; exam success that of assessment_rates.py;
attendance the SQL sums of attendance_rates.py.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.models import (
    ActionStatus,
    Answer,
    Cohort,
    Complaint,
    DeclaredRate,
    DeclaredRateKind,
    EmployerPeriod,
    Enrolment,
    EnrolmentStatus,
    ImprovementAction,
    InterruptionKind,
    Programme,
    ProgrammeKind,
    Survey,
    SurveyCampaign,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)
from cfa.services import attendance_rates, attendance_snapshots
from cfa.services.assessment_rates import Rate, success_rates, total
from cfa.services.complaints import targets
from cfa.services.satisfaction import satisfaction_rates
from cfa.services.survey_templates import SITUATIONS
from cfa.sqltime import days_between

# The à froid survey's question on the situation six months after (H5's preloaded template): its single-choice
# answers starting with these words are counted as employed or in further training.
SITUATION = "situation_6_months"
# The à froid question's answers, as the preloaded questionnaire words them (one wording, read in one place).
EMPLOYED, STUDIES = SITUATIONS[0], SITUATIONS[1]

DEFINITIONS = {
    "success": (
        "Taux d'obtention du titre",
        "candidat·es ayant obtenu le titre complet aux sessions de jury publiées de l'année",
        "candidat·es présenté·es à ces sessions",
    ),
    "partial": (
        "Taux d'obtention partielle",
        "candidat·es ayant obtenu au moins un CCP sans le titre",
        "candidat·es présenté·es",
    ),
    "interruption": (
        "Taux d'interruption en cours de formation",
        "apprenti·es ayant quitté la formation avant son terme pendant l'année",
        "apprenti·es inscrit·es pendant l'année",
    ),
    "rupture": (
        "Taux de rupture des contrats d'apprentissage",
        "contrats rompus avant leur terme pendant l'année",
        "contrats en cours pendant l'année",
    ),
    "attendance": (
        "Taux d'assiduité",
        "minutes suivies (retards et départs anticipés déduits)",
        "minutes des demi-journées émargées des inscrit·es",
    ),
    "complaints": (
        "Réclamations traitées dans le délai",
        "réclamations de l'année ayant reçu une réponse dans le délai cible",
        "réclamations de l'année dont la réponse est due",
    ),
    "actions": (
        "Actions d'amélioration réalisées",
        "actions réalisées",
        "actions ouvertes, réalisées ou abandonnées créées pendant l'année ou encore ouvertes",
    ),
    "integration_estimate": (
        "Insertion à 6 mois (estimation Cadence)",
        "répondant·es à l'enquête à froid en emploi",
        "répondant·es à la question sur leur situation à 6 mois",
    ),
    "continuation_estimate": (
        "Poursuite d'études (estimation Cadence)",
        "répondant·es à l'enquête à froid en poursuite d'études",
        "répondant·es à la question sur leur situation à 6 mois",
    ),
}


@dataclass(frozen=True)
class Scope:
    """The dashboard's filters; None: all."""

    year: int
    centre_id: int | None = None
    programme_id: int | None = None
    cohort_id: int | None = None

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        return date(self.year, 12, 31)

    @property
    def narrowed(self) -> bool:
        return any(v is not None for v in (self.centre_id, self.programme_id, self.cohort_id))

    @property
    def filters(self) -> tuple[int | None, int | None, int | None]:
        return self.centre_id, self.programme_id, self.cohort_id

    @property
    def key(self) -> str:
        """The year and filters as one string: what a kept figure is stored under."""
        return "/".join("-" if v is None else str(v) for v in (self.year, *self.filters))


@dataclass(frozen=True)
class Figure:
    code: str
    rate: Rate
    label: str = ""
    numerator_label: str = ""
    denominator_label: str = ""
    rows: list = field(default_factory=list, compare=False)

    @property
    def value(self) -> float | None:
        return self.rate.value

    @property
    def percent(self) -> int | None:
        return round(100 * self.rate.value) if self.rate.value is not None else None


def figure(code: str, numerator: int, denominator: int) -> Figure:
    label, num, den = DEFINITIONS[code]
    return Figure(code, Rate(int(numerator or 0), int(denominator or 0)), label, num, den)


def cohort_ids(scope: Scope, kind: ProgrammeKind | None = None) -> sa.Select | None:
    """The cohorts the filters select, as a SELECT of their ids for an IN, never fetched: a programme's cohorts
    of every year would otherwise travel to Python and back (None: no filter, every cohort of that kind counts)."""
    if not scope.narrowed and kind is None:
        return None
    stmt = sa.select(Cohort.id).join(Programme, Programme.id == Cohort.programme_id)
    if scope.centre_id is not None:
        stmt = stmt.where(Cohort.centre_id == scope.centre_id)
    if scope.programme_id is not None:
        stmt = stmt.where(Cohort.programme_id == scope.programme_id)
    if scope.cohort_id is not None:
        stmt = stmt.where(Cohort.id == scope.cohort_id)
    if kind is not None:
        stmt = stmt.where(Programme.kind == kind)
    return sa.select(stmt.subquery().c.id)  # a derived table: never correlated with a cohort of the outer query


def success(scope: Scope) -> tuple[Figure, Figure]:
    both = total(success_rates("year", scope.year, cohort_ids=cohort_ids(scope)))
    return figure("success", both.obtained, both.presented), figure("partial", both.partial, both.presented)


def enrolled_during(scope: Scope):
    last_day = sa.func.coalesce(Enrolment.interrupted_on, Enrolment.contract_end)
    stmt = (
        sa.select(Enrolment.id)
        .where(Enrolment.contract_start <= scope.end, last_day >= scope.start)
        .where(Enrolment.cohort_id.in_(cohort_ids(scope, ProgrammeKind.APPRENTICESHIP)))
    )
    return stmt


def _left_during(scope: Scope, kinds=None):
    left = sa.and_(
        Enrolment.status == EnrolmentStatus.INTERRUPTED, Enrolment.interrupted_on.between(scope.start, scope.end)
    )
    if kinds is not None:
        left = sa.and_(left, Enrolment.interruption_kind.in_(kinds))
    return sa.func.count(Enrolment.id).filter(left)


def interruption_and_rupture(scope: Scope) -> tuple[Figure, Figure]:
    """Interruption counts learners: every apprentice who left the programme early (rupture included: they left
    it); rupture counts contracts: the contracts broken among those held, so a learner who broke one contract and
    signed another counts two contracts and no interruption. An enrolment without a contract file (recorded before
    contracts had one) is one contract. Apprenticeship cohorts only: short-course trainees hold no contract."""
    ids = sa.select(enrolled_during(scope).subquery().c.id)
    without_file = ~sa.exists().where(EmployerPeriod.enrolment_id == Enrolment.id)
    left_broken = sa.and_(
        Enrolment.status == EnrolmentStatus.INTERRUPTED,
        Enrolment.interrupted_on.between(scope.start, scope.end),
        Enrolment.interruption_kind == InterruptionKind.RUPTURE,
        without_file,
    )
    stmt = sa.select(
        sa.func.count(Enrolment.id),
        _left_during(scope),
        sa.func.count(Enrolment.id).filter(without_file),
        sa.func.count(Enrolment.id).filter(left_broken),
    ).where(Enrolment.id.in_(ids))
    enrolled, left, unfiled, unfiled_broken = db.session.execute(stmt).one()
    last_day = sa.func.coalesce(EmployerPeriod.ended_on, EmployerPeriod.ends_on)
    contracts = sa.select(
        sa.func.count(EmployerPeriod.id),
        sa.func.count(EmployerPeriod.id).filter(EmployerPeriod.ended_on.between(scope.start, scope.end)),
    ).where(EmployerPeriod.enrolment_id.in_(ids), EmployerPeriod.starts_on <= scope.end, last_day >= scope.start)
    held, broken = db.session.execute(contracts).one()
    return figure("interruption", left, enrolled), figure("rupture", broken + unfiled_broken, held + unfiled)


def attendance(scope: Scope, now=None) -> Figure:
    summed = attendance_rates.total_rate(enrolled_during(scope), scope.start, scope.end, now=now)
    return figure("attendance", summed.attended, summed.scheduled)


def kept_attendance(scope: Scope, now=None) -> tuple[Figure, datetime | None]:
    """The attendance figure, a closed year's read from its kept total (services/attendance_snapshots.py), and
    when that total was computed (None: computed now)."""

    def compute() -> tuple[int, int]:
        fig = attendance(scope, now)
        return fig.rate.numerator, fig.rate.denominator

    attended, scheduled, computed_at = attendance_snapshots.kept_total(scope.key, scope.year, compute, now)
    return figure("attendance", attended, scheduled), computed_at


def complaints_within_target(scope: Scope, today: date | None = None) -> Figure:
    today = today or today_paris()
    goal = targets()
    in_year = Complaint.received_on.between(scope.start, scope.end)
    due = sa.or_(Complaint.answered_on.is_not(None), Complaint.received_on < today - timedelta(days=goal.answer_days))
    on_time = sa.and_(
        Complaint.answered_on.is_not(None),
        days_between(Complaint.received_on, Complaint.answered_on) <= goal.answer_days,
    )
    stmt = sa.select(sa.func.count(Complaint.id).filter(on_time), sa.func.count(Complaint.id)).where(in_year, due)
    if scope.narrowed:
        stmt = stmt.where(Complaint.cohort_id.in_(cohort_ids(scope)))
    answered, count = db.session.execute(stmt).one()
    return figure("complaints", answered, count)


def action_counts(scope: Scope, today: date | None = None) -> dict[str, int]:
    """Open, late (open past their due date), done and abandoned actions of the year or still open."""
    today = today or today_paris()
    open_ = ImprovementAction.status.in_([ActionStatus.PLANNED, ActionStatus.IN_PROGRESS])
    created = sa.and_(
        ImprovementAction.created_at >= datetime(scope.year, 1, 1, tzinfo=UTC),
        ImprovementAction.created_at < datetime(scope.year + 1, 1, 1, tzinfo=UTC),
    )
    in_year = sa.or_(open_, created, ImprovementAction.done_on.between(scope.start, scope.end))
    stmt = sa.select(
        sa.func.count(ImprovementAction.id).filter(open_),
        sa.func.count(ImprovementAction.id).filter(open_, ImprovementAction.due_on < today),
        sa.func.count(ImprovementAction.id).filter(ImprovementAction.status == ActionStatus.DONE),
        sa.func.count(ImprovementAction.id).filter(ImprovementAction.status == ActionStatus.ABANDONED),
    ).where(in_year)
    opened, late, done, abandoned = db.session.execute(stmt).one()
    return {"open": opened, "late": late, "done": done, "abandoned": abandoned}


def actions_figure(counts: dict[str, int]) -> Figure:
    return figure("actions", counts["done"], counts["open"] + counts["done"] + counts["abandoned"])


def satisfaction_by_audience(scope: Scope) -> dict[object, Rate]:
    return satisfaction_rates("audience", scope.year, cohort_ids(scope))


def response_rates(scope: Scope) -> dict[object, Rate]:
    """Invitations answered over invitations sent, per audience, for the campaigns closing in the year."""
    stmt = (
        sa.select(
            Survey.audience,
            sa.func.count(SurveyInvitation.id).filter(SurveyInvitation.responded_at.is_not(None)),
            sa.func.count(SurveyInvitation.id),
        )
        .join(SurveyCampaign, SurveyCampaign.id == SurveyInvitation.campaign_id)
        .join(Survey, Survey.id == SurveyCampaign.survey_id)
        .where(SurveyInvitation.sent_at.is_not(None), SurveyCampaign.closes_on.between(scope.start, scope.end))
        .group_by(Survey.audience)
    )
    if scope.narrowed:
        stmt = stmt.where(SurveyCampaign.cohort_id.in_(cohort_ids(scope)))
    return {audience: Rate(int(answered), int(sent)) for audience, answered, sent in db.session.execute(stmt)}


def situation_estimates(scope: Scope) -> tuple[Figure, Figure]:
    """Cadence's own estimate of integration and continuation from the à froid survey (labelled as such)."""
    stmt = (
        sa.select(
            sa.func.count(Answer.id).filter(Answer.value_text == EMPLOYED),
            sa.func.count(Answer.id).filter(Answer.value_text == STUDIES),
            sa.func.count(Answer.id),
        )
        .join(SurveyQuestion, SurveyQuestion.id == Answer.question_id)
        .join(SurveyResponse, SurveyResponse.id == Answer.response_id)
        .join(SurveyCampaign, SurveyCampaign.id == SurveyResponse.campaign_id)
        .where(
            SurveyQuestion.measure == SITUATION,
            Answer.value_text.is_not(None),
            SurveyCampaign.closes_on.between(scope.start, scope.end),
        )
    )
    if scope.narrowed:
        stmt = stmt.where(SurveyCampaign.cohort_id.in_(cohort_ids(scope)))
    employed, studies, answers = db.session.execute(stmt).one()
    return figure("integration_estimate", employed, answers), figure("continuation_estimate", studies, answers)


def declared_rates(year: int, programme_id: int | None = None) -> dict[DeclaredRateKind, DeclaredRate]:
    """The State's figures as the CFA entered them (a programme's, else the CFA's own)."""
    stmt = sa.select(DeclaredRate).where(DeclaredRate.year == year)
    stmt = stmt.where(
        DeclaredRate.programme_id == programme_id if programme_id is not None else DeclaredRate.programme_id.is_(None)
    )
    return {rate.kind: rate for rate in db.session.scalars(stmt)}


@dataclass
class Dashboard:
    scope: Scope
    success: Figure
    partial: Figure
    interruption: Figure
    rupture: Figure
    attendance: Figure
    complaints: Figure
    actions: Figure
    action_counts: dict
    satisfaction: dict
    responses: dict
    integration_estimate: Figure
    continuation_estimate: Figure
    declared: dict
    attendance_computed_at: datetime | None = None  # a closed year's kept total; None: computed for this page

    @property
    def rates(self) -> list[Figure]:
        return [self.success, self.partial, self.interruption, self.rupture, self.attendance, self.complaints]


def dashboard(
    scope: Scope, today: date | None = None, kept: bool = False, attendance_figure: Figure | None = None
) -> Dashboard:
    """The year's figures. Attendance: `attendance_figure` if the caller summed it (the audit file, from the rows
    it lists), else a closed year's kept total if `kept` (pages), else computed now."""
    computed_at = None
    if attendance_figure is None:
        attendance_figure, computed_at = kept_attendance(scope) if kept else (attendance(scope), None)
    success_figure, partial = success(scope)
    interruption, rupture = interruption_and_rupture(scope)
    counts = action_counts(scope, today)
    integration, continuation = situation_estimates(scope)
    return Dashboard(
        scope=scope,
        success=success_figure,
        partial=partial,
        interruption=interruption,
        rupture=rupture,
        attendance=attendance_figure,
        attendance_computed_at=computed_at,
        complaints=complaints_within_target(scope, today),
        actions=actions_figure(counts),
        action_counts=counts,
        satisfaction=satisfaction_by_audience(scope),
        responses=response_rates(scope),
        integration_estimate=integration,
        continuation_estimate=continuation,
        declared=declared_rates(scope.year, scope.programme_id),
    )
