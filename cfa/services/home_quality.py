"""The quality officer's home: the indicators of the dashboard at a glance (the same figures, computed by
quality_indicators), the campaigns running with their response rates, the complaints still to answer and the
improvement actions due, each bounded, with how many there are in all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cfa.extensions import db
from cfa.models import Complaint, ImprovementAction, SurveyCampaign
from cfa.services import complaints, improvement_actions
from cfa.services import quality_indicators as qi
from cfa.services.counting import count_rows
from cfa.services.survey_campaigns import Participation, campaigns_listing, participation

SHOWN = 5


@dataclass
class QualityHome:
    board: qi.Dashboard
    campaigns: list[tuple[SurveyCampaign, Participation]]
    campaigns_total: int
    complaints: list[Complaint]
    complaints_total: int
    complaints_late: int
    actions: list[ImprovementAction]


def quality_home(today: date) -> QualityHome:
    # The dashboard's default scope: the last full year.
    board = qi.dashboard(qi.Scope(today.year - 1), today, kept=True)
    running = campaigns_listing(state="open", today=today).where(SurveyCampaign.opens_on <= today)
    campaigns = list(db.session.scalars(running.limit(SHOWN)))
    rates = participation([c.id for c in campaigns])
    unanswered = complaints.register_query(today=today).where(Complaint.answered_on.is_(None))
    late = unanswered.where(complaints.late_clause(today, complaints.targets()))
    return QualityHome(
        board=board,
        campaigns=[(c, rates[c.id]) for c in campaigns],
        campaigns_total=count_rows(running),
        complaints=list(db.session.scalars(unanswered.limit(SHOWN))),
        complaints_total=count_rows(unanswered),
        complaints_late=count_rows(late),
        actions=list(db.session.scalars(improvement_actions.actions_query("open", today).limit(SHOWN))),
    )
