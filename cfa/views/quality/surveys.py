"""Questionnaire templates: the list, a new one, its questions; a change to a sent version makes a new version."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from cfa.extensions import db
from cfa.forms.surveys import QuestionForm, SurveyForm, SurveyHeaderForm
from cfa.models import Audience, QuestionKind, Survey, SurveyCampaign, SurveyQuestion, SurveyTiming
from cfa.services.permissions import Ability
from cfa.services.survey_templates import load_templates
from cfa.services.surveys import (
    MEASURES,
    QuestionInput,
    SurveyError,
    add_question,
    create_survey,
    is_frozen,
    latest_versions,
    load_survey,
    remove_question,
    update_question,
    update_survey,
    versions_of,
)
from cfa.views.access import requires
from cfa.views.crud import commit_or_report
from cfa.views.forms import form_page, posted
from cfa.views.quality import bp


@bp.route("/questionnaires")
@requires(Ability.MANAGE_QUALITY)
def surveys():
    rows = db.session.scalars(latest_versions()).all()
    used = dict(
        db.session.execute(
            sa.select(Survey.family, sa.func.count(SurveyCampaign.id))
            .join(SurveyCampaign, SurveyCampaign.survey_id == Survey.id)
            .group_by(Survey.family)
        ).all()
    )
    return render_template("quality/surveys.html", surveys=rows, used=used)


@bp.route("/questionnaires/modeles", methods=["POST"])
@requires(Ability.MANAGE_QUALITY)
def load_preloaded():
    if posted() and (created := load_templates(current_user)) is not None and commit_or_report():
        flash(
            f"{len(created)} questionnaire(s) préinstallé(s) ajouté(s)." if created else "Tous sont déjà là.", "success"
        )
    return redirect(url_for("quality.surveys"))


def _survey(survey_id: int) -> Survey:
    survey = load_survey(survey_id)
    if survey is None:
        abort(404)
    return survey


def _refused(form, error: SurveyError) -> None:
    db.session.rollback()
    target = form._fields.get(error.field or "")
    (target.errors if target is not None else form.form_errors).append(str(error))


def _saved(survey: Survey, target: Survey):
    if target.id != survey.id:
        flash(
            f"Version {target.version} créée : les réponses déjà reçues gardent la version {survey.version}.", "success"
        )
    else:
        flash("Questionnaire enregistré.", "success")
    return redirect(url_for("quality.survey", survey_id=target.id))


@bp.route("/questionnaires/nouveau", methods=["GET", "POST"])
@requires(Ability.MANAGE_QUALITY)
def new_survey():
    form = SurveyForm()
    if form.validate_on_submit():
        try:
            survey = create_survey(
                current_user,
                form.title.data,
                Audience(form.audience.data),
                SurveyTiming(form.timing.data),
                form.introduction.data,
            )
        except SurveyError as error:
            _refused(form, error)
        else:
            if commit_or_report():
                flash("Questionnaire créé : ajoutez ses questions.", "success")
                return redirect(url_for("quality.survey", survey_id=survey.id))
    return form_page(form, "Nouveau questionnaire", None, url_for("quality.surveys"), submit_label="Créer")


@bp.route("/questionnaires/<int:survey_id>", methods=["GET", "POST"])
@requires(Ability.MANAGE_QUALITY)
def survey(survey_id: int):
    survey = _survey(survey_id)
    form = SurveyHeaderForm(obj=survey)
    if form.validate_on_submit():
        try:
            target = update_survey(
                current_user, survey, form.title.data, SurveyTiming(form.timing.data), form.introduction.data
            )
        except SurveyError as error:
            _refused(form, error)
        else:
            if commit_or_report():
                return _saved(survey, target)
    return render_template(
        "quality/survey.html",
        survey=survey,
        form=form,
        frozen=is_frozen(survey),
        versions=versions_of(survey.family),
        measures=MEASURES,
    ), (422 if request.method == "POST" else 200)


def _question_input(form: QuestionForm) -> QuestionInput:
    choices = tuple((form.choices.data or "").splitlines())
    return QuestionInput(
        form.text.data, QuestionKind(form.kind.data), bool(form.mandatory.data), choices, form.measure.data or None
    )


def _question_page(form, survey: Survey, question: SurveyQuestion | None, write):
    if form.validate_on_submit():
        try:
            written = write(_question_input(form))
        except SurveyError as error:
            _refused(form, error)
        else:
            if commit_or_report():
                return _saved(survey, written.survey)
    title = "Nouvelle question" if question is None else f"Question {question.position}"
    warning = "Ce questionnaire a été envoyé : enregistrer créera une nouvelle version." if is_frozen(survey) else None
    return form_page(form, title, warning or survey.title, url_for("quality.survey", survey_id=survey.id))


@bp.route("/questionnaires/<int:survey_id>/questions/nouvelle", methods=["GET", "POST"])
@requires(Ability.MANAGE_QUALITY)
def new_question(survey_id: int):
    survey = _survey(survey_id)
    return _question_page(QuestionForm(), survey, None, lambda data: add_question(current_user, survey, data))


def _question(survey: Survey, question_id: int) -> SurveyQuestion:
    question = next((q for q in survey.questions if q.id == question_id), None)
    if question is None:
        abort(404)
    return question


@bp.route("/questionnaires/<int:survey_id>/questions/<int:question_id>", methods=["GET", "POST"])
@requires(Ability.MANAGE_QUALITY)
def edit_question(survey_id: int, question_id: int):
    survey = _survey(survey_id)
    question = _question(survey, question_id)
    form = QuestionForm(obj=question)
    if request.method == "GET":
        form.choices.data = "\n".join(question.choices or [])
        form.measure.data = question.measure or ""
        form.mandatory.data = question.required
    return _question_page(form, survey, question, lambda data: update_question(current_user, question, data))


@bp.route("/questionnaires/<int:survey_id>/questions/<int:question_id>/supprimer", methods=["POST"])
@requires(Ability.MANAGE_QUALITY)
def delete_question(survey_id: int, question_id: int):
    survey = _survey(survey_id)
    question = _question(survey, question_id)
    if not posted():
        abort(400)
    try:
        target = remove_question(current_user, question)
    except SurveyError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("quality.survey", survey_id=survey.id))
    return _saved(survey, target) if commit_or_report() else redirect(url_for("quality.survey", survey_id=survey.id))
