"""Satisfaction as the CFA publishes it (Qualiopi indicators 2 and 30): the share of answers "satisfied" or "very
satisfied" (4 or 5 of 5) to a survey's overall question, over all answers to that question.

The overall question is the scale question whose `measure` is "overall_satisfaction"; a campaign counts in the
year its answering closes. Surveys, the dashboard, the public page and the short courses' figures all read this
one definition.
"""

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import Answer, Cohort, Programme, QuestionKind, Survey, SurveyCampaign, SurveyQuestion, SurveyResponse
from cfa.services.assessment_rates import Rate

OVERALL = "overall_satisfaction"
SATISFIED_FROM = 4

# What the rates can be grouped by: a column reachable from an answer.
GROUPINGS = {
    "audience": Survey.audience,  # who answered: apprentices, employers, trainers, funders, trainees
    "course_audience": Programme.audience,  # which public a short course serves
    "programme": Programme.id,
    "cohort": SurveyCampaign.cohort_id,
    "campaign": SurveyCampaign.id,
}


def satisfaction_rates(
    group: str,
    year: int | None = None,
    cohort_ids: Iterable[int] | sa.Select | None = None,
    campaign_ids: Iterable[int] | None = None,
) -> dict[object, Rate]:
    """{group value: Rate}, computed in one GROUP BY; a group without answers is absent (never 0 %).
    `cohort_ids` may be ids or a SELECT of them."""
    key = GROUPINGS[group]
    stmt = (
        sa.select(
            key,
            sa.func.sum(sa.case((Answer.value_int >= SATISFIED_FROM, 1), else_=0)),
            sa.func.count(Answer.id),
        )
        .join(SurveyQuestion, SurveyQuestion.id == Answer.question_id)
        .join(SurveyResponse, SurveyResponse.id == Answer.response_id)
        .join(SurveyCampaign, SurveyCampaign.id == SurveyResponse.campaign_id)
        .join(Survey, Survey.id == SurveyCampaign.survey_id)
        .outerjoin(Cohort, Cohort.id == SurveyCampaign.cohort_id)
        .outerjoin(Programme, Programme.id == Cohort.programme_id)
        .where(
            SurveyQuestion.measure == OVERALL, SurveyQuestion.kind == QuestionKind.SCALE, Answer.value_int.is_not(None)
        )
        .group_by(key)
    )
    if year is not None:
        stmt = stmt.where(SurveyCampaign.closes_on.between(date(year, 1, 1), date(year, 12, 31)))
    if cohort_ids is not None:
        ids = cohort_ids if isinstance(cohort_ids, sa.Select) else list(cohort_ids)
        stmt = stmt.where(SurveyCampaign.cohort_id.in_(ids))
    if campaign_ids is not None:
        stmt = stmt.where(SurveyCampaign.id.in_(list(campaign_ids)))
    return {value: Rate(int(satisfied), int(answers)) for value, satisfied, answers in db.session.execute(stmt)}
