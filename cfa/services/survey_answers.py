"""Answering a questionnaire by its one-time link, or entering a paper answer sheet.

Each invitation answers once, anonymous or not: the invitation row is locked and marked answered in the same
transaction as the answers, and a conditional update makes two simultaneous submissions count once. An anonymous
answer keeps no link to its invitation, and only the day it was given, so that its time cannot be matched with
the moment an invitation was marked answered.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.formatting import PARIS
from cfa.models import Answer, QuestionKind, Survey, SurveyCampaign, SurveyInvitation, SurveyQuestion, SurveyResponse
from cfa.services import audit
from cfa.services.surveys import SurveyError

MAX_TEXT = 5000
RANGES = {QuestionKind.SCALE: (1, 5), QuestionKind.NPS: (0, 10), QuestionKind.YES_NO: (0, 1)}


class AnswerErrors(SurveyError):
    """The answers refused, question by question (id -> French message)."""

    def __init__(self, errors: dict[int, str]):
        super().__init__("Le questionnaire contient des réponses à corriger.")
        self.errors = errors


@dataclass(frozen=True)
class Value:
    value_int: int | None = None
    value_text: str | None = None
    value_choices: list | None = None


def field_name(question: SurveyQuestion) -> str:
    return f"q{question.id}"


def invitation_by_token(token: str) -> SurveyInvitation | None:
    """The invitation of a launched campaign; anything else (unknown, malformed, draft) is None."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(
        sa.select(SurveyInvitation)
        .join(SurveyCampaign, SurveyCampaign.id == SurveyInvitation.campaign_id)
        .where(SurveyInvitation.token == token, SurveyCampaign.launched_at.is_not(None))
        .options(
            selectinload(SurveyInvitation.campaign).selectinload(SurveyCampaign.survey).selectinload(Survey.questions)
        )
    )


def refusal(invitation: SurveyInvitation, now: datetime) -> str | None:
    """Why this link cannot be answered now, in French; None when it can."""
    campaign = invitation.campaign
    today = now.astimezone(PARIS).date()
    if invitation.responded_at is not None:
        return "Vous avez déjà répondu à ce questionnaire : merci ! Une seule réponse est possible."
    if today < campaign.opens_on:
        return f"Ce questionnaire ouvre le {campaign.opens_on:%d/%m/%Y} : revenez à partir de cette date."
    if today > campaign.closes_on:
        return (
            f"Ce questionnaire est clos depuis le {campaign.closes_on:%d/%m/%Y} : il n'est plus possible d'y répondre."
        )
    return None


def _one(question: SurveyQuestion, raw: list[str]) -> Value | None:
    """The value of one question's answer, None when left empty; raises ValueError with a French message."""
    values = [v.strip() for v in raw if v and v.strip()]
    if not values:
        return None
    kind = question.kind
    if kind in RANGES:
        low, high = RANGES[kind]
        if len(values) != 1 or not values[0].isdigit() or not low <= int(values[0]) <= high:
            raise ValueError(
                f"Choisissez une valeur de {low} à {high}."
                if kind != QuestionKind.YES_NO
                else "Répondez par oui ou par non."
            )
        return Value(value_int=int(values[0]))
    if kind == QuestionKind.CHOICE:
        if len(values) != 1 or values[0] not in (question.choices or []):
            raise ValueError("Choisissez une des réponses proposées.")
        return Value(value_text=values[0])
    if kind == QuestionKind.MULTIPLE:
        if any(v not in (question.choices or []) for v in values):
            raise ValueError("Choisissez parmi les réponses proposées.")
        return Value(value_choices=[c for c in question.choices if c in values])
    text = values[0]
    if len(values) != 1 or len(text) > MAX_TEXT:
        raise ValueError(f"Au plus {MAX_TEXT} caractères.")
    return Value(value_text=text)


def parse_answers(questions: list[SurveyQuestion], form: Mapping[str, list[str]]) -> dict[int, Value]:
    """{question id: value} of the questions answered; every refusal at once, required questions enforced."""
    values, errors = {}, {}
    for question in questions:
        try:
            value = _one(question, list(form.get(field_name(question), [])))
        except ValueError as error:
            errors[question.id] = str(error)
            continue
        if value is None and question.required:
            errors[question.id] = "Cette question demande une réponse."
        elif value is not None:
            values[question.id] = value
    if errors:
        raise AnswerErrors(errors)
    return values


def _store(campaign: SurveyCampaign, values: dict[int, Value], invitation_id: int | None, submitted_at: datetime):
    response = SurveyResponse(campaign_id=campaign.id, invitation_id=invitation_id, submitted_at=submitted_at)
    # Only the column a kind uses is set: an unset JSON column stays SQL NULL rather than the JSON 'null'.
    response.answers = [
        Answer(question_id=qid, value_int=v.value_int, value_text=v.value_text)
        if v.value_choices is None
        else Answer(question_id=qid, value_choices=v.value_choices)
        for qid, v in values.items()
    ]
    db.session.add(response)
    db.session.flush()
    return response


def _day_only(moment: datetime) -> datetime:
    local = moment.astimezone(PARIS)
    return datetime(local.year, local.month, local.day, 12, tzinfo=PARIS).astimezone(UTC)


def submit(token: str, form: Mapping[str, list[str]], now: datetime | None = None) -> SurveyResponse:
    """Store one answer to the invitation's campaign and mark the invitation answered, or refuse."""
    now = now or datetime.now(UTC)
    invitation = invitation_by_token(token)
    if invitation is None:
        raise SurveyError("Ce lien de questionnaire n'est pas valide.")
    campaign = invitation.campaign
    values = parse_answers(campaign.survey.questions, form)
    # Lock the row (PostgreSQL), then take it only if still unanswered: a second submission finds nothing to take.
    db.session.execute(sa.select(SurveyInvitation.id).where(SurveyInvitation.id == invitation.id).with_for_update())
    db.session.refresh(invitation)
    if (reason := refusal(invitation, now)) is not None:
        raise SurveyError(reason)
    taken = db.session.execute(
        sa.update(SurveyInvitation)
        .where(SurveyInvitation.id == invitation.id, SurveyInvitation.responded_at.is_(None))
        .values(responded_at=now)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        raise SurveyError("Vous avez déjà répondu à ce questionnaire : merci ! Une seule réponse est possible.")
    db.session.expire(invitation, ["responded_at"])
    if campaign.anonymous:
        return _store(campaign, values, None, _day_only(now))
    return _store(campaign, values, invitation.id, now)


def enter_paper_answers(actor, campaign: SurveyCampaign, form: Mapping[str, list[str]], now: datetime | None = None):
    """A paper answer sheet typed in by the quality officer (trainees without an address, workshops in prison):
    tied to no invitation, so it never counts in the response rate of the links."""
    now = now or datetime.now(UTC)
    if campaign.launched_at is None:
        raise SurveyError("Lancez la campagne avant d'en saisir les réponses papier.")
    values = parse_answers(campaign.survey.questions, form)
    response = _store(campaign, values, None, _day_only(now))
    audit.record(actor, "survey_response", response.id, "paper_entry", context=("survey_campaign", campaign.id))
    return response
