"""Trainees registered in a run, or taken out of it, by the CFA (a client's contact does it from the employer area)."""

from flask import flash, redirect, url_for
from flask_login import current_user

from cfa.extensions import db
from cfa.forms import choices
from cfa.forms.courses import TraineeForm, TraineeRemovalForm
from cfa.models import Cohort, Enrolment
from cfa.services import trainees
from cfa.services.permissions import Ability
from cfa.services.short_courses import CourseError
from cfa.views.access import requires
from cfa.views.courses import bp
from cfa.views.courses.runs import run_or_404
from cfa.views.planning import known_id


def trainee_values(form: TraineeForm) -> trainees.TraineeValues:
    employer = getattr(form, "employer_id", None)  # a client's contact has no choice: their own employees
    return trainees.TraineeValues(
        form.first_name.data or "", form.last_name.data or "", form.email.data, employer.data if employer else None
    )


def flash_form_errors(form) -> None:
    for errors in form.errors.values():
        for message in errors:
            flash(message, "error")


@bp.route("/sessions/<int:cohort_id>/stagiaires", methods=["POST"])
@requires(Ability.MANAGE_SETUP)
def register(cohort_id: int):
    run = run_or_404(cohort_id)
    form = TraineeForm()
    form.employer_id.set_choices(choices.employers())
    if form.validate_on_submit():
        register_and_report(run, form)
    else:
        flash_form_errors(form)
    return redirect(url_for("courses.run", cohort_id=run.id, _anchor="stagiaires"))


def register_and_report(run: Cohort, form) -> None:
    """Shared by the CFA's and the client's pages: one service call, one commit, one message."""
    try:
        enrolment = trainees.register(current_user, run, trainee_values(form))
    except CourseError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"{enrolment.apprentice.full_name} est inscrit·e à « {run.name} ».", "success")


def withdraw_and_report(enrolment: Enrolment, form: TraineeRemovalForm) -> None:
    """Shared by the CFA's and the client's pages: one service call, one commit, one message."""
    name = enrolment.apprentice.full_name
    try:
        removed = trainees.withdraw(current_user, enrolment, form.reason.data or "")
    except CourseError as error:
        db.session.rollback()
        flash(str(error), "error")
        return
    db.session.commit()
    flash(
        f"{name} est retiré·e de la session." if removed else f"{name} a quitté la session (interruption).", "success"
    )


@bp.route("/stagiaires/<int:enrolment_id>/retirer", methods=["POST"])
@requires(Ability.MANAGE_SETUP)
def withdraw(enrolment_id: int):
    enrolment = db.get_or_404(Enrolment, known_id(enrolment_id))
    run_id = enrolment.cohort_id
    form = TraineeRemovalForm()
    if form.validate_on_submit():
        withdraw_and_report(enrolment, form)
    return redirect(url_for("courses.run", cohort_id=run_id, _anchor="stagiaires"))
