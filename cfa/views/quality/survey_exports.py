"""A campaign's answers as a spreadsheet: one row per questionnaire received, one column per question, scores as
numbers. An anonymous campaign's rows carry no name (its answers keep no link to an invitation)."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.models import QuestionKind, SurveyInvitation, SurveyResponse
from cfa.renderers.spreadsheets import Field
from cfa.services.permissions import Ability
from cfa.services.survey_results import shown
from cfa.views.access import requires
from cfa.views.downloads import export_query
from cfa.views.quality import bp
from cfa.views.quality.survey_campaigns import load_campaign

SCORES = (QuestionKind.SCALE, QuestionKind.NPS)


def _answer_to(question):
    def read(row):
        response = row[0]
        answer = next((a for a in response.answers if a.question_id == question.id), None)
        if answer is None:
            return None
        return answer.value_int if question.kind in SCORES else shown(answer)

    return read


def answer_fields(campaign) -> list[Field]:
    named = [] if campaign.anonymous else [Field("Personne", lambda r: r[1])]
    questions = sorted(campaign.survey.questions, key=lambda q: q.position)
    return [
        Field("Reçu le", lambda r: r[0].submitted_at.date()),
        *named,
        *(Field(f"{q.position}. {q.text}", _answer_to(q)) for q in questions),
    ]


@bp.route("/campagnes/<int:campaign_id>/reponses.<fmt>")
@requires(Ability.MANAGE_QUALITY)
def export_answers(campaign_id: int, fmt: str):
    campaign = load_campaign(campaign_id)
    stmt = (
        sa.select(SurveyResponse)
        .where(SurveyResponse.campaign_id == campaign.id)
        .options(selectinload(SurveyResponse.answers))
        .order_by(SurveyResponse.submitted_at, SurveyResponse.id)
    )
    return export_query(fmt, f"Réponses {campaign.title}", answer_fields(campaign), stmt, _names)


def _names(responses) -> dict[int, str | None]:
    """Who gave each answer of a batch, in one query (none for an anonymous campaign's answers)."""
    invitations = {r.invitation_id: r.id for r in responses if r.invitation_id is not None}
    if not invitations:
        return {}
    stmt = sa.select(SurveyInvitation.id, SurveyInvitation.name, SurveyInvitation.email).where(
        SurveyInvitation.id.in_(invitations)
    )
    return {invitations[i]: name or email for i, name, email in db.session.execute(stmt)}
