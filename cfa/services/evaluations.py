"""Evaluations during training (ECF): creating and editing them, entering and correcting results.

Where each apprentice stands on each block is computed in `block_progress`.

Entry points, each taking the acting user and plain values (never the request):
- `save_evaluation`: an ECF created or edited; its date within the training, its module preparing its block, and
  an edit never leaving a recorded result outside it (a score above the new scale, a learner not enrolled that day).
- `parse_grid` and `record_grid`: the results grid of one ECF read from posted values, then saved row by row.
- `record_evaluation_result`: one result; a change to an existing one is audited.
- `correct_evaluation_result`: a recorded result corrected with a reason, audited.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.models import (
    Cohort,
    Enrolment,
    Evaluation,
    EvaluationOutcome,
    EvaluationResult,
    Module,
    Programme,
    User,
)
from cfa.services import audit
from cfa.services.assessment import AssessmentError
from cfa.services.permissions import assessable_cohorts_clause

COMMENT_MAX = 2000


# --- Loading -----------------------------------------------------------------------------------------


def load_cohort(cohort_id: int) -> Cohort | None:
    return db.session.scalar(
        sa.select(Cohort)
        .where(Cohort.id == cohort_id)
        .options(selectinload(Cohort.programme).selectinload(Programme.skill_blocks), selectinload(Cohort.centre))
    )


def load_evaluation(evaluation_id: int) -> Evaluation | None:
    return db.session.scalar(
        sa.select(Evaluation)
        .where(Evaluation.id == evaluation_id)
        .options(
            selectinload(Evaluation.results),
            selectinload(Evaluation.skill_block),
            selectinload(Evaluation.module),
            selectinload(Evaluation.cohort).selectinload(Cohort.programme).selectinload(Programme.skill_blocks),
        )
    )


def assessable_cohorts(user: User) -> list[Cohort]:
    """The cohorts whose ECF the user may enter, the latest first."""
    return db.session.scalars(
        sa.select(Cohort)
        .where(assessable_cohorts_clause(user, Cohort.id))
        .options(selectinload(Cohort.programme), selectinload(Cohort.centre))
        .order_by(Cohort.start_date.desc(), Cohort.name)
    ).all()


def cohort_evaluations(cohort_id: int) -> list[tuple[Evaluation, int]]:
    """The cohort's ECF with how many results each holds, counted in SQL."""
    return db.session.execute(
        sa.select(Evaluation, sa.func.count(EvaluationResult.id))
        .outerjoin(EvaluationResult)
        .where(Evaluation.cohort_id == cohort_id)
        .group_by(Evaluation.id)
        .options(selectinload(Evaluation.skill_block), selectinload(Evaluation.module))
        .order_by(Evaluation.date.desc(), Evaluation.id.desc())
    ).all()


def cohort_enrolments(cohort_id: int) -> list[Enrolment]:
    return db.session.scalars(
        sa.select(Enrolment)
        .join(User, Enrolment.apprentice_id == User.id)
        .where(Enrolment.cohort_id == cohort_id)
        .options(selectinload(Enrolment.apprentice), selectinload(Enrolment.cohort))
        .order_by(User.last_name, User.first_name)
    ).all()


def programme_modules(programme_id: int) -> list[Module]:
    return db.session.scalars(
        sa.select(Module).where(Module.programme_id == programme_id).order_by(Module.position)
    ).all()


def grid_rows(evaluation: Evaluation) -> list[tuple[Enrolment, EvaluationResult | None]]:
    """One row per apprentice enrolled on the ECF's day, with their result if recorded."""
    results = {r.enrolment_id: r for r in evaluation.results}
    return [
        (e, results.get(e.id)) for e in cohort_enrolments(evaluation.cohort_id) if e.is_enrolled_on(evaluation.date)
    ]


# --- Creating and editing an ECF ----------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationValues:
    title: str
    skill_block_id: int
    module_id: int | None
    date: date
    max_score: int | None


def _evaluation_state(evaluation: Evaluation) -> dict:
    return {
        "title": evaluation.title,
        "skill_block_id": evaluation.skill_block_id,
        "module_id": evaluation.module_id,
        "date": evaluation.date.isoformat() if evaluation.date else None,
        "max_score": evaluation.max_score,
    }


def _check_values(cohort: Cohort, values: EvaluationValues) -> None:
    if values.skill_block_id not in {b.id for b in cohort.programme.skill_blocks}:
        raise AssessmentError("Ce bloc de compétences n'appartient pas à la formation.", "skill_block_id")
    if values.module_id is not None:
        module = db.session.get(Module, values.module_id)
        if module is None or module.programme_id != cohort.programme_id:
            raise AssessmentError("Ce module n'appartient pas à la formation.", "module_id")
        if module.skill_block_id not in (None, values.skill_block_id):
            raise AssessmentError("Ce module prépare un autre bloc de compétences.", "module_id")
    if not cohort.start_date <= values.date <= cohort.end_date:
        raise AssessmentError(
            f"La date doit être comprise dans la formation ({cohort.start_date:%d/%m/%Y} – {cohort.end_date:%d/%m/%Y}).",
            "date",
        )


def _check_results_still_fit(evaluation: Evaluation, values: EvaluationValues) -> None:
    """An edit must not leave a recorded result that the new ECF could not have received."""
    results = db.session.scalars(
        sa.select(EvaluationResult)
        .where(EvaluationResult.evaluation_id == evaluation.id)
        .options(selectinload(EvaluationResult.enrolment))
    ).all()
    scores = [r.score for r in results if r.score is not None]
    if scores and values.max_score is None:
        raise AssessmentError("Des notes sont déjà saisies : l'évaluation reste notée.", "max_score")
    if scores and max(scores) > values.max_score:
        raise AssessmentError(
            f"Une note saisie atteint {max(scores)} : le barème ne peut pas être inférieur.", "max_score"
        )
    if any(not r.enrolment.is_enrolled_on(values.date) for r in results):
        raise AssessmentError("Des résultats sont saisis pour des personnes non inscrites à cette date.", "date")


def save_evaluation(evaluation: Evaluation | None, cohort: Cohort, values: EvaluationValues, actor: User) -> Evaluation:
    """Create an ECF of the cohort, or change one; a change to an ECF that has results is audited."""
    _check_values(cohort, values)
    if evaluation is None:
        evaluation = Evaluation(cohort_id=cohort.id, trainer_id=actor.id)
        db.session.add(evaluation)
        before = None
    else:
        if evaluation.cohort_id != cohort.id:
            raise AssessmentError("Une évaluation ne change pas de promotion.")
        _check_results_still_fit(evaluation, values)
        before = _evaluation_state(evaluation)
    for name in ("title", "skill_block_id", "module_id", "date", "max_score"):
        setattr(evaluation, name, getattr(values, name))
    db.session.flush()
    if before is not None and before != (after := _evaluation_state(evaluation)):
        audit.record(actor, "evaluation", evaluation.id, "edit", before=before, after=after)
        db.session.flush()
    return evaluation


# --- Results -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridEntry:
    outcome: EvaluationOutcome
    score: int | None
    comment: str


def parse_grid(posted: Mapping[str, str], enrolment_ids: Iterable[int]) -> tuple[dict[int, GridEntry], dict[int, str]]:
    """Read the results grid: {enrolment_id: entry} for the rows filled in, and a French error per bad row.

    A row left blank is not an entry; a score or comment without a result is an error, not a silent loss.
    """
    entries, errors = {}, {}
    for enrolment_id in enrolment_ids:
        outcome = posted.get(f"outcome-{enrolment_id}", "")
        score_text = posted.get(f"score-{enrolment_id}", "").strip().replace(",", ".")
        comment = posted.get(f"comment-{enrolment_id}", "")[:COMMENT_MAX]
        if not outcome:
            if score_text or comment.strip():
                errors[enrolment_id] = "Choisissez un résultat."
            continue
        if outcome not in EvaluationOutcome._value2member_map_:
            errors[enrolment_id] = "Résultat inconnu."
        elif score_text and not score_text.isdigit():
            errors[enrolment_id] = "La note est un nombre entier."
        else:
            score = int(score_text) if score_text else None
            entries[enrolment_id] = GridEntry(EvaluationOutcome(outcome), score, comment)
    return entries, errors


def record_grid(
    evaluation: Evaluation, enrolments: Mapping[int, Enrolment], entries: Mapping[int, GridEntry], actor: User
) -> dict[int, str]:
    """Save every entry of the grid; returns the French error of each row refused (the caller then rolls back)."""
    errors = {}
    for enrolment_id, entry in entries.items():
        try:
            record_evaluation_result(
                evaluation,
                enrolments[enrolment_id],
                entry.outcome,
                score=entry.score,
                comment=entry.comment,
                actor=actor,
            )
        except AssessmentError as error:
            errors[enrolment_id] = str(error)
    return errors


def _check_result(evaluation: Evaluation, enrolment: Enrolment, score: int | None) -> None:
    if enrolment.cohort_id != evaluation.cohort_id:
        raise AssessmentError("Cette personne n'est pas inscrite dans la promotion évaluée.")
    if score is not None:
        if evaluation.max_score is None:
            raise AssessmentError("Cette évaluation ne se note pas : indiquez seulement le résultat.", "score")
        if not 0 <= score <= evaluation.max_score:
            raise AssessmentError(f"La note doit être comprise entre 0 et {evaluation.max_score}.", "score")


def record_evaluation_result(
    evaluation: Evaluation,
    enrolment: Enrolment,
    outcome: EvaluationOutcome,
    *,
    score: int | None,
    comment: str | None,
    actor: User | None,
    reason: str | None = None,
) -> EvaluationResult:
    """Create or update one apprentice's result; changing a recorded result leaves an audit event."""
    _check_result(evaluation, enrolment, score)
    comment = (comment or "").strip() or None
    result = db.session.scalar(
        sa.select(EvaluationResult)
        .where(EvaluationResult.evaluation_id == evaluation.id, EvaluationResult.enrolment_id == enrolment.id)
        .with_for_update()
    )
    if result is None:
        result = EvaluationResult(evaluation=evaluation, enrolment=enrolment)
        db.session.add(result)
    else:
        before = _result_state(result)
        after = {"outcome": outcome.value, "score": score, "comment": comment}
        if before == after:
            return result
        audit.record(
            actor,
            "evaluation_result",
            result.id,
            "correct",
            before=before,
            after=after,
            reason=reason,
            context=("evaluation", evaluation.id),
        )
    result.outcome = outcome
    result.score = score
    result.comment = comment
    result.assessed_by_id = actor.id if actor else None
    db.session.flush()
    return result


def correct_evaluation_result(
    result: EvaluationResult,
    outcome: EvaluationOutcome,
    *,
    score: int | None,
    comment: str | None,
    actor: User,
    reason: str,
) -> EvaluationResult:
    """Correct a recorded result (an entry error, a second marking): the reason is mandatory and kept in the trail."""
    reason = (reason or "").strip()
    if not reason:
        raise AssessmentError("Le motif de la correction est obligatoire.", "reason")
    before = _result_state(result)
    if before == {"outcome": outcome.value, "score": score, "comment": (comment or "").strip() or None}:
        raise AssessmentError("Rien n'a changé : le résultat est déjà celui-ci.", "outcome")
    return record_evaluation_result(
        result.evaluation, result.enrolment, outcome, score=score, comment=comment, actor=actor, reason=reason
    )


def _result_state(result: EvaluationResult) -> dict:
    return {"outcome": result.outcome.value, "score": result.score, "comment": result.comment}
