"""Evaluations during training (ECF): list per cohort, creation and editing, results entry and correction, progress."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from cfa.extensions import db
from cfa.forms.assessment import EvaluationForm, ResultCorrectionForm
from cfa.models import Cohort, Evaluation, EvaluationOutcome, EvaluationResult
from cfa.services.assessment import AssessmentError
from cfa.services.block_progress import BlockState, enrolment_results, programme_blocks
from cfa.services.evaluations import (
    EvaluationValues,
    assessable_cohorts,
    cohort_enrolments,
    cohort_evaluations,
    correct_evaluation_result,
    grid_rows,
    load_cohort,
    load_evaluation,
    parse_grid,
    programme_modules,
    record_grid,
    save_evaluation,
)
from cfa.services.permissions import Ability, can_assess_cohort
from cfa.views.access import requires
from cfa.views.assessment import bp
from cfa.views.crud import commit_or_report
from cfa.views.forms import form_page, posted


def _cohort(cohort_id: int) -> Cohort:
    cohort = load_cohort(cohort_id) or abort(404)
    if not can_assess_cohort(current_user, cohort.id):
        abort(403)
    return cohort


def _evaluation(evaluation_id: int) -> Evaluation:
    evaluation = load_evaluation(evaluation_id) or abort(404)
    if not can_assess_cohort(current_user, evaluation.cohort_id):
        abort(403)
    return evaluation


@bp.route("/")
@requires(Ability.ASSESS)
def index():
    cohorts = assessable_cohorts(current_user)
    selected = cohorts[0] if cohorts else None
    if cohort_id := request.args.get("cohort", type=int):
        selected = next((c for c in cohorts if c.id == cohort_id), None) or abort(404)
    evaluations = cohort_evaluations(selected.id) if selected else []
    return render_template("assessment/index.html", cohorts=cohorts, selected=selected, evaluations=evaluations)


def _evaluation_form(cohort: Cohort, evaluation: Evaluation | None) -> EvaluationForm:
    form = EvaluationForm(obj=evaluation)
    form.skill_block_id.choices = [(b.id, f"{b.code} – {b.title}") for b in cohort.programme.skill_blocks]
    form.module_id.set_choices([(m.id, f"{m.code} – {m.title}") for m in programme_modules(cohort.programme_id)])
    return form


def _save(form: EvaluationForm, cohort: Cohort, evaluation: Evaluation | None) -> Evaluation | None:
    values = EvaluationValues(
        title=form.title.data.strip(),
        skill_block_id=form.skill_block_id.data,
        module_id=form.module_id.data,
        date=form.date.data,
        max_score=form.max_score.data,
    )
    try:
        return save_evaluation(evaluation, cohort, values, current_user)
    except AssessmentError as error:
        getattr(form, error.field or "title").errors.append(str(error))
        return None


def _edit(cohort: Cohort, evaluation: Evaluation | None):
    form = _evaluation_form(cohort, evaluation)
    if form.validate_on_submit() and (saved := _save(form, cohort, evaluation)) and commit_or_report():
        flash("Évaluation enregistrée." if evaluation else "Évaluation créée : saisissez les résultats.", "success")
        return redirect(url_for("assessment.evaluation", evaluation_id=saved.id))
    title = "Modifier l'évaluation (ECF)" if evaluation else "Nouvelle évaluation (ECF)"
    back = url_for("assessment.evaluation", evaluation_id=evaluation.id) if evaluation else None
    return form_page(form, title, cohort.name, back or url_for("assessment.index", cohort=cohort.id))


@bp.route("/promotions/<int:cohort_id>/nouvelle", methods=["GET", "POST"])
@requires(Ability.ASSESS)
def new_evaluation(cohort_id: int):
    return _edit(_cohort(cohort_id), None)


@bp.route("/<int:evaluation_id>/modifier", methods=["GET", "POST"])
@requires(Ability.ASSESS)
def edit_evaluation(evaluation_id: int):
    evaluation = _evaluation(evaluation_id)
    return _edit(evaluation.cohort, evaluation)


@bp.route("/<int:evaluation_id>", methods=["GET", "POST"])
@requires(Ability.ASSESS)
def evaluation(evaluation_id: int):
    evaluation = _evaluation(evaluation_id)
    rows = grid_rows(evaluation)
    errors: dict[int, str] = {}
    if request.method == "POST":
        if not posted():
            abort(400)
        entries, errors = parse_grid(request.form, [e.id for e, _ in rows])
        if not errors and (errors := record_grid(evaluation, {e.id: e for e, _ in rows}, entries, current_user)):
            db.session.rollback()  # one refused row: nothing of the grid is kept
        if not errors and commit_or_report():
            flash(f"Résultats enregistrés ({len(entries)}).", "success")
            return redirect(url_for("assessment.evaluation", evaluation_id=evaluation.id))
    return render_template(
        "assessment/evaluation.html",
        evaluation=evaluation,
        rows=rows,
        errors=errors,
        outcomes=EvaluationOutcome,
        form_data=request.form if errors else None,
    ), (422 if errors else 200)


def _correction_form(evaluation: Evaluation, result: EvaluationResult) -> ResultCorrectionForm:
    form = ResultCorrectionForm(obj=result, outcome=result.outcome.value)
    if evaluation.max_score is None:
        del form.score  # acquired / not acquired only: no score to correct
    else:
        form.score.label.text = f"Note sur {evaluation.max_score}"
    return form


def _correct(form: ResultCorrectionForm, result: EvaluationResult) -> bool:
    try:
        correct_evaluation_result(
            result,
            EvaluationOutcome(form.outcome.data),
            score=form.score.data if "score" in form else None,
            comment=form.comment.data,
            actor=current_user,
            reason=form.reason.data,
        )
    except AssessmentError as error:
        getattr(form, error.field or "outcome").errors.append(str(error))
        return False
    return commit_or_report()


@bp.route("/<int:evaluation_id>/resultats/<int:result_id>/corriger", methods=["GET", "POST"])
@requires(Ability.ASSESS)
def correct_result(evaluation_id: int, result_id: int):
    evaluation = _evaluation(evaluation_id)
    result = next((r for r in evaluation.results if r.id == result_id), None) or abort(404)
    form = _correction_form(evaluation, result)
    if form.validate_on_submit() and _correct(form, result):
        flash("Résultat corrigé : la correction et son motif sont dans l'historique.", "success")
        return redirect(url_for("assessment.evaluation", evaluation_id=evaluation.id))
    subtitle = f"{evaluation.title} · {result.enrolment.apprentice.full_name}"
    back = url_for("assessment.evaluation", evaluation_id=evaluation.id)
    return form_page(form, "Corriger un résultat", subtitle, back, submit_label="Corriger")


@bp.route("/promotions/<int:cohort_id>/progression")
@requires(Ability.ASSESS)
def progress(cohort_id: int):
    cohort = _cohort(cohort_id)
    results = enrolment_results(cohort_enrolments(cohort.id))
    blocks = programme_blocks([cohort.programme_id])
    return render_template(
        "assessment/progress.html", cohort=cohort, results=results, blocks=blocks, BlockState=BlockState
    )
