"""Evaluations during training (ECF): list per cohort, creation, results entry, per-block progress."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.forms.assessment import EvaluationForm
from cfa.models import (
    Cohort,
    Enrolment,
    Evaluation,
    EvaluationOutcome,
    EvaluationResult,
    Module,
    Programme,
    SkillBlock,
    User,
)
from cfa.services.assessment import (
    AssessmentError,
    BlockState,
    assessable_cohorts_clause,
    can_assess_cohort,
    enrolment_results,
    record_evaluation_result,
)
from cfa.services.permissions import Ability
from cfa.views.access import requires
from cfa.views.assessment import bp
from cfa.views.crud import commit_or_report
from cfa.views.forms import form_page, posted


def _cohort(cohort_id: int) -> Cohort:
    cohort = db.session.scalar(
        sa.select(Cohort)
        .where(Cohort.id == cohort_id)
        .options(
            selectinload(Cohort.programme).selectinload(Programme.skill_blocks),
            selectinload(Cohort.centre),
        )
    ) or abort(404)
    if not can_assess_cohort(current_user, cohort.id):
        abort(403)
    return cohort


def _enrolments(cohort_id: int) -> list[Enrolment]:
    return db.session.scalars(
        sa.select(Enrolment)
        .join(User, Enrolment.apprentice_id == User.id)
        .where(Enrolment.cohort_id == cohort_id)
        .options(selectinload(Enrolment.apprentice), selectinload(Enrolment.cohort))
        .order_by(User.last_name, User.first_name)
    ).all()


@bp.route("/")
@requires(Ability.ASSESS)
def index():
    cohorts = db.session.scalars(
        sa.select(Cohort)
        .where(assessable_cohorts_clause(current_user, Cohort.id))
        .options(selectinload(Cohort.programme), selectinload(Cohort.centre))
        .order_by(Cohort.start_date.desc(), Cohort.name)
    ).all()
    selected = None
    if cohort_id := request.args.get("cohort", type=int):
        selected = next((c for c in cohorts if c.id == cohort_id), None) or abort(404)
    elif cohorts:
        selected = cohorts[0]
    evaluations = []
    if selected:
        evaluations = db.session.execute(
            sa.select(Evaluation, sa.func.count(EvaluationResult.id))
            .outerjoin(EvaluationResult)
            .where(Evaluation.cohort_id == selected.id)
            .group_by(Evaluation.id)
            .options(selectinload(Evaluation.skill_block), selectinload(Evaluation.module))
            .order_by(Evaluation.date.desc(), Evaluation.id.desc())
        ).all()
    return render_template("assessment/index.html", cohorts=cohorts, selected=selected, evaluations=evaluations)


def _prepare(form: EvaluationForm, cohort: Cohort) -> None:
    blocks = cohort.programme.skill_blocks
    form.skill_block_id.choices = [(b.id, f"{b.code} – {b.title}") for b in blocks]
    modules = db.session.scalars(
        sa.select(Module).where(Module.programme_id == cohort.programme_id).order_by(Module.position)
    ).all()
    form.module_id.set_choices([(m.id, f"{m.code} – {m.title}") for m in modules])
    form._modules = {m.id: m for m in modules}


def _valid(form: EvaluationForm, cohort: Cohort) -> bool:
    ok = True
    if form.module_id.data:
        module = form._modules.get(form.module_id.data)
        if module and module.skill_block_id not in (None, form.skill_block_id.data):
            form.module_id.errors.append("Ce module prépare un autre bloc de compétences.")
            ok = False
    if form.date.data and not cohort.start_date <= form.date.data <= cohort.end_date:
        form.date.errors.append(
            f"La date doit être comprise dans la formation ({cohort.start_date:%d/%m/%Y} – {cohort.end_date:%d/%m/%Y})."
        )
        ok = False
    return ok


@bp.route("/promotions/<int:cohort_id>/nouvelle", methods=["GET", "POST"])
@requires(Ability.ASSESS)
def new_evaluation(cohort_id: int):
    cohort = _cohort(cohort_id)
    form = EvaluationForm()
    _prepare(form, cohort)
    if form.validate_on_submit() and _valid(form, cohort):
        evaluation = Evaluation(cohort_id=cohort.id, trainer_id=current_user.id)
        form.populate_obj(evaluation)
        db.session.add(evaluation)
        if commit_or_report():
            flash("Évaluation créée : saisissez les résultats.", "success")
            return redirect(url_for("assessment.evaluation", evaluation_id=evaluation.id))
    return form_page(form, "Nouvelle évaluation (ECF)", cohort.name, url_for("assessment.index", cohort=cohort.id))


def _rows(evaluation: Evaluation) -> list[tuple[Enrolment, EvaluationResult | None]]:
    results = {r.enrolment_id: r for r in evaluation.results}
    return [(e, results.get(e.id)) for e in _enrolments(evaluation.cohort_id) if e.is_enrolled_on(evaluation.date)]


def _parse(evaluation: Evaluation, rows) -> tuple[dict, dict]:
    """Read the grid: {enrolment_id: (outcome, score, comment)} for the rows filled in, and errors per row."""
    entries, errors = {}, {}
    for enrolment, _result in rows:
        outcome = request.form.get(f"outcome-{enrolment.id}", "")
        score_text = request.form.get(f"score-{enrolment.id}", "").strip().replace(",", ".")
        comment = request.form.get(f"comment-{enrolment.id}", "")[:2000]
        if not outcome:
            if score_text or comment.strip():
                errors[enrolment.id] = "Choisissez un résultat."
            continue
        if outcome not in EvaluationOutcome._value2member_map_:
            errors[enrolment.id] = "Résultat inconnu."
            continue
        score = None
        if score_text:
            if not score_text.isdigit():
                errors[enrolment.id] = "La note est un nombre entier."
                continue
            score = int(score_text)
        entries[enrolment.id] = (EvaluationOutcome(outcome), score, comment)
    return entries, errors


@bp.route("/<int:evaluation_id>", methods=["GET", "POST"])
@requires(Ability.ASSESS)
def evaluation(evaluation_id: int):
    evaluation = db.session.scalar(
        sa.select(Evaluation)
        .where(Evaluation.id == evaluation_id)
        .options(
            selectinload(Evaluation.results),
            selectinload(Evaluation.skill_block),
            selectinload(Evaluation.module),
            selectinload(Evaluation.cohort),
        )
    ) or abort(404)
    if not can_assess_cohort(current_user, evaluation.cohort_id):
        abort(403)
    rows = _rows(evaluation)
    errors: dict[int, str] = {}
    if request.method == "POST":
        if not posted():
            abort(400)
        entries, errors = _parse(evaluation, rows)
        if not errors:
            by_id = {e.id: e for e, _ in rows}
            for enrolment_id, (outcome, score, comment) in entries.items():
                try:
                    record_evaluation_result(
                        evaluation, by_id[enrolment_id], outcome, score=score, comment=comment, actor=current_user
                    )
                except AssessmentError as error:
                    errors[enrolment_id] = str(error)
            if not errors and commit_or_report():
                flash(f"Résultats enregistrés ({len(entries)}).", "success")
                return redirect(url_for("assessment.evaluation", evaluation_id=evaluation.id))
            db.session.rollback()
        flash("Certaines lignes contiennent une erreur : rien n'a été enregistré.", "error")
    return render_template(
        "assessment/evaluation.html",
        evaluation=evaluation,
        rows=rows,
        errors=errors,
        outcomes=EvaluationOutcome,
        form_data=request.form if errors else None,
    ), (422 if errors else 200)


@bp.route("/promotions/<int:cohort_id>/progression")
@requires(Ability.ASSESS)
def progress(cohort_id: int):
    cohort = _cohort(cohort_id)
    results = enrolment_results(_enrolments(cohort.id))
    blocks = db.session.scalars(
        sa.select(SkillBlock).where(SkillBlock.programme_id == cohort.programme_id).order_by(SkillBlock.position)
    ).all()
    return render_template(
        "assessment/progress.html", cohort=cohort, results=results, blocks=blocks, BlockState=BlockState
    )
