"""Questionnaire templates (Qualiopi indicators 1, 2 and 30): their questions, and the versioning that keeps past
answers meaningful.

A version that a launched campaign has sent is frozen: changing it makes version + 1 of the same family, with the
same questions, and the change is made there. Campaigns not launched yet follow the new version; answers already
given keep pointing to the questions they answered.
"""

import re
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.models import Audience, QuestionKind, Survey, SurveyCampaign, SurveyQuestion, SurveyTiming
from cfa.services import audit
from cfa.services.satisfaction import OVERALL

# What an indicator may read from a question; the satisfaction rate reads the first, a 1-5 scale.
MEASURES = {
    OVERALL: "Satisfaction globale (indicateurs 2 et 30)",
    "recommendation": "Recommandation (score NPS)",
    "situation_6_months": "Situation six mois après la formation",
    "objectives_reached": "Atteinte des objectifs",
}
MEASURE_KINDS = {OVERALL: QuestionKind.SCALE, "recommendation": QuestionKind.NPS}
WITH_CHOICES = (QuestionKind.CHOICE, QuestionKind.MULTIPLE)
MAX_CHOICES = 20


class SurveyError(Exception):
    """A refused change, with the form field it concerns."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class QuestionInput:
    text: str
    kind: QuestionKind
    required: bool = True
    choices: tuple[str, ...] = ()
    measure: str | None = None


def is_frozen(survey: Survey) -> bool:
    """Sent by a launched campaign: its questions are what past answers answered."""
    stmt = sa.select(SurveyCampaign.id).where(
        SurveyCampaign.survey_id == survey.id, SurveyCampaign.launched_at.is_not(None)
    )
    return db.session.scalar(stmt.limit(1)) is not None


def latest_versions():
    """The statement listing each family's newest version, by title."""
    newest = sa.select(Survey.family, sa.func.max(Survey.version).label("version")).group_by(Survey.family).subquery()
    return (
        sa.select(Survey)
        .join(newest, sa.and_(newest.c.family == Survey.family, newest.c.version == Survey.version))
        .order_by(Survey.audience, Survey.title)
    )


def versions_of(family: str) -> list[Survey]:
    return list(db.session.scalars(sa.select(Survey).where(Survey.family == family).order_by(Survey.version.desc())))


def load_survey(survey_id: int) -> Survey | None:
    return db.session.scalar(sa.select(Survey).where(Survey.id == survey_id).options(selectinload(Survey.questions)))


def _family_key(title: str) -> str:
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    stem = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:30] or "questionnaire"
    taken = set(db.session.scalars(sa.select(Survey.family).where(Survey.family.like(f"{stem}%"))))
    key, n = stem, 1
    while key in taken:
        n += 1
        key = f"{stem}-{n}"
    return key


def _check_header(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise SurveyError("Donnez un titre au questionnaire.", "title")
    if len(title) > 200:
        raise SurveyError("Le titre ne peut dépasser 200 caractères.", "title")
    return title


def create_survey(
    actor, title: str, audience: Audience, timing: SurveyTiming, introduction: str | None = None, family: str = ""
) -> Survey:
    survey = Survey(
        family=family or _family_key(title),
        version=1,
        title=_check_header(title),
        audience=audience,
        timing=timing,
        introduction=(introduction or "").strip() or None,
    )
    db.session.add(survey)
    db.session.flush()
    audit.record_change(actor, survey, None)
    return survey


def editable_version(actor, survey: Survey) -> Survey:
    """The version a change may be made to: this one while no campaign has sent it, else a new version."""
    newest = db.session.scalar(sa.select(sa.func.max(Survey.version)).where(Survey.family == survey.family))
    if survey.version != newest:
        raise SurveyError("Seule la dernière version d'un questionnaire peut être modifiée.")
    if not is_frozen(survey):
        return survey
    copy = Survey(
        family=survey.family,
        version=survey.version + 1,
        title=survey.title,
        audience=survey.audience,
        timing=survey.timing,
        introduction=survey.introduction,
        active=survey.active,
    )
    copy.questions = [
        SurveyQuestion(
            position=q.position,
            text=q.text,
            kind=q.kind,
            choices=list(q.choices) if q.choices else None,
            required=q.required,
            measure=q.measure,
        )
        for q in survey.questions
    ]
    db.session.add(copy)
    db.session.flush()
    # Drafts follow the template they were prepared from; launched campaigns keep what they sent.
    db.session.execute(
        sa.update(SurveyCampaign)
        .where(SurveyCampaign.survey_id == survey.id, SurveyCampaign.launched_at.is_(None))
        .values(survey_id=copy.id)
    )
    survey.active = False
    audit.record(actor, "survey", copy.id, "new_version", after={"family": copy.family, "version": copy.version})
    return copy


def update_survey(actor, survey: Survey, title: str, timing: SurveyTiming, introduction: str | None) -> Survey:
    title = _check_header(title)
    target = editable_version(actor, survey)
    before = audit.snapshot(target)
    target.title, target.timing, target.introduction = title, timing, (introduction or "").strip() or None
    db.session.flush()
    audit.record_change(actor, target, before)
    return target


def _checked(data: QuestionInput) -> QuestionInput:
    text = (data.text or "").strip()
    if not text:
        raise SurveyError("Écrivez la question.", "text")
    if len(text) > 300:
        raise SurveyError("Une question ne peut dépasser 300 caractères.", "text")
    choices = tuple(dict.fromkeys(c.strip() for c in data.choices if c.strip()))
    if data.kind in WITH_CHOICES:
        if len(choices) < 2:
            raise SurveyError("Une question à choix propose au moins deux réponses, une par ligne.", "choices")
        if len(choices) > MAX_CHOICES or any(len(c) > 120 for c in choices):
            raise SurveyError(f"Au plus {MAX_CHOICES} réponses de 120 caractères chacune.", "choices")
    else:
        choices = ()
    measure = data.measure or None
    if measure is not None and measure not in MEASURES:
        raise SurveyError("Cet indicateur n'existe pas.", "measure")
    if measure in MEASURE_KINDS and data.kind != MEASURE_KINDS[measure]:
        expected = MEASURE_KINDS[measure].label.lower()
        raise SurveyError(f"Cet indicateur se lit sur une question de type « {expected} ».", "measure")
    return QuestionInput(text, data.kind, data.required, choices, measure)


def _check_measure_unique(survey: Survey, measure: str | None, keep: SurveyQuestion | None = None) -> None:
    if measure and any(q.measure == measure and q is not keep for q in survey.questions):
        raise SurveyError("Une autre question de ce questionnaire mesure déjà cet indicateur.", "measure")


def add_question(actor, survey: Survey, data: QuestionInput) -> SurveyQuestion:
    data = _checked(data)
    target = editable_version(actor, survey)
    _check_measure_unique(target, data.measure)
    position = max((q.position for q in target.questions), default=0) + 1
    question = SurveyQuestion(position=position)
    _fill(question, data)
    target.questions.append(question)
    db.session.flush()
    audit.record_change(actor, question, None, context=("survey", target.id))
    return question


def _fill(question: SurveyQuestion, data: QuestionInput) -> None:
    question.text, question.kind, question.required = data.text, data.kind, data.required
    question.choices = list(data.choices) or None
    question.measure = data.measure


def _counterpart(actor, question: SurveyQuestion) -> SurveyQuestion:
    """The same question in the version a change may be made to."""
    target = editable_version(actor, question.survey)
    return next(q for q in target.questions if q.position == question.position)


def update_question(actor, question: SurveyQuestion, data: QuestionInput) -> SurveyQuestion:
    data = _checked(data)
    target = _counterpart(actor, question)
    _check_measure_unique(target.survey, data.measure, keep=target)
    before = audit.snapshot(target)
    _fill(target, data)
    db.session.flush()
    audit.record_change(actor, target, before, context=("survey", target.survey_id))
    return target


def remove_question(actor, question: SurveyQuestion) -> Survey:
    target = _counterpart(actor, question)
    survey = target.survey
    audit.record(
        actor, "survey_question", target.id, "delete", before=audit.snapshot(target), context=("survey", survey.id)
    )
    survey.questions.remove(target)
    db.session.flush()
    # Positions stay 1..n, so that a later version matches its questions to the earlier one's.
    for position, remaining in enumerate(survey.questions, start=1):
        remaining.position = -position
    db.session.flush()
    for remaining in survey.questions:
        remaining.position = -remaining.position
    db.session.flush()
    return survey
