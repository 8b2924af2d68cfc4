"""A campaign's results, question by question: counts and percentages of each answer, averages, the NPS score,
free-text answers. Counted in SQL (one GROUP BY for every question of the campaign); satisfaction itself comes
from services/satisfaction.py, its one definition.

Nothing here names who answered: a non-anonymous response is shown only to the quality officer, never listed
with its answers.
"""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.models import Answer, QuestionKind, SurveyCampaign, SurveyQuestion, SurveyResponse
from cfa.services.assessment_rates import Rate
from cfa.services.satisfaction import satisfaction_rates

SCALE_LABELS = {1: "1 – Pas du tout", 2: "2", 3: "3", 4: "4", 5: "5 – Tout à fait"}
YES_NO_LABELS = {1: "Oui", 0: "Non"}
MAX_TEXTS = 200


@dataclass
class Count:
    label: str
    count: int
    total: int

    @property
    def share(self) -> float | None:
        return self.count / self.total if self.total else None


@dataclass
class QuestionResult:
    question: SurveyQuestion
    answered: int = 0
    counts: list[Count] = field(default_factory=list)
    average: float | None = None
    nps: int | None = None  # promoters' share minus detractors', in points
    texts: list[str] = field(default_factory=list)

    @property
    def charted(self) -> bool:
        return self.question.kind != QuestionKind.TEXT and self.answered > 0


@dataclass
class CampaignResults:
    campaign: SurveyCampaign
    responses: int
    satisfaction: Rate | None
    questions: list[QuestionResult]


def nps_score(counts: dict[int, int]) -> int | None:
    """% of 9-10 minus % of 0-6, rounded to a whole point; None without answers."""
    total = sum(counts.values())
    if not total:
        return None
    promoters = sum(n for v, n in counts.items() if v >= 9)
    detractors = sum(n for v, n in counts.items() if v <= 6)
    return round(100 * (promoters - detractors) / total)


def _values(question: SurveyQuestion) -> list[tuple[object, str]]:
    kind = question.kind
    if kind == QuestionKind.SCALE:
        return list(SCALE_LABELS.items())
    if kind == QuestionKind.NPS:
        return [(v, str(v)) for v in range(11)]
    if kind == QuestionKind.YES_NO:
        return list(YES_NO_LABELS.items())
    return [(c, c) for c in question.choices or []]


def campaign_results(campaign: SurveyCampaign) -> CampaignResults:
    questions = campaign.survey.questions
    ids = [q.id for q in questions]
    in_campaign = (SurveyResponse.id == Answer.response_id, SurveyResponse.campaign_id == campaign.id)
    multiple_ids = [q.id for q in questions if q.kind == QuestionKind.MULTIPLE]
    grouped = db.session.execute(
        sa.select(Answer.question_id, Answer.value_int, Answer.value_text, sa.func.count(Answer.id))
        .join(SurveyResponse, sa.and_(*in_campaign))
        .where(Answer.question_id.in_([i for i in ids if i not in multiple_ids]))
        .group_by(Answer.question_id, Answer.value_int, Answer.value_text)
    ).all()
    picked = db.session.execute(
        sa.select(Answer.question_id, Answer.value_choices)
        .join(SurveyResponse, sa.and_(*in_campaign))
        .where(Answer.question_id.in_(multiple_ids))
    ).all()
    responses = db.session.scalar(
        sa.select(sa.func.count(SurveyResponse.id)).where(SurveyResponse.campaign_id == campaign.id)
    )
    rate = satisfaction_rates("campaign", campaign_ids=[campaign.id]).get(campaign.id)
    return CampaignResults(campaign, int(responses or 0), rate, [_result(q, grouped, picked) for q in questions])


def _result(question: SurveyQuestion, grouped, picked) -> QuestionResult:
    result = QuestionResult(question)
    rows = [(vi, vt, n) for qid, vi, vt, n in grouped if qid == question.id]
    kind = question.kind
    if kind == QuestionKind.TEXT:
        result.texts = sorted((vt for vi, vt, n in rows for _ in range(n) if vt), key=str.lower)[:MAX_TEXTS]
        result.answered = sum(n for vi, vt, n in rows)
        return result
    if kind == QuestionKind.MULTIPLE:
        lists = [choices or [] for qid, choices in picked if qid == question.id]
        tally = {c: sum(c in chosen for chosen in lists) for c in question.choices or []}
        result.answered = len(lists)
    else:
        tally = {}
        for vi, vt, n in rows:
            key = vi if kind in (QuestionKind.SCALE, QuestionKind.NPS, QuestionKind.YES_NO) else vt
            tally[key] = tally.get(key, 0) + n
        result.answered = sum(tally.values())
    # Multiple choices: each share is over the people who answered, so shares may add up past 100 %.
    result.counts = [Count(label, tally.get(value, 0), result.answered) for value, label in _values(question)]
    if kind in (QuestionKind.SCALE, QuestionKind.NPS) and result.answered:
        result.average = sum(v * n for v, n in tally.items() if v is not None) / result.answered
    if kind == QuestionKind.NPS:
        result.nps = nps_score(tally)
    return result


def shown(answer: Answer) -> str:
    """An answer as the person gave it, in words."""
    kind = answer.question.kind
    if kind == QuestionKind.YES_NO:
        return YES_NO_LABELS.get(answer.value_int, "")
    if kind == QuestionKind.MULTIPLE:
        return ", ".join(answer.value_choices or [])
    if kind in (QuestionKind.SCALE, QuestionKind.NPS):
        return f"{answer.value_int} / {5 if kind == QuestionKind.SCALE else 10}"
    return answer.value_text or ""


def named_response(campaign: SurveyCampaign, invitation_id: int) -> SurveyResponse | None:
    """The answer of one invited person, in a campaign that is not anonymous; an anonymous one has none to show."""
    if campaign.anonymous:
        return None
    return db.session.scalar(
        sa.select(SurveyResponse)
        .where(SurveyResponse.campaign_id == campaign.id, SurveyResponse.invitation_id == invitation_id)
        .options(selectinload(SurveyResponse.answers).selectinload(Answer.question))
    )
