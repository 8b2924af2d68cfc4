"""A client's contact registers their own employees in short courses: the inter-company runs still to come and
their own intra-company runs; they see and withdraw only their own employees."""

from flask import abort, redirect, render_template, url_for
from flask_login import current_user

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.forms.courses import EmployeeRegistrationForm, TraineeRemovalForm
from cfa.models import Enrolment
from cfa.services import trainees
from cfa.services.short_courses import place_of
from cfa.views.courses.registrations import flash_form_errors, register_and_report, withdraw_and_report
from cfa.views.courses.runs import run_or_404
from cfa.views.employer import bp
from cfa.views.planning import known_id


@bp.route("/formations-courtes")
def courses():
    employer_id = current_user.employer_id
    runs = trainees.open_runs_for_client(employer_id) if employer_id else []
    form = _form(runs)
    return render_template(
        "employer/courses.html",
        runs=runs,
        registrations=trainees.client_registrations(employer_id, [r.id for r in runs]) if employer_id else {},
        form=form,
        removal_form=TraineeRemovalForm(),
        place_of=place_of,
        today_date=today_paris(),
    )


def _form(runs) -> EmployeeRegistrationForm:
    form = EmployeeRegistrationForm()
    form.run_id.choices = [(r.id, f"{r.programme.title} · {r.name}") for r in runs]
    return form


@bp.route("/formations-courtes/inscrire", methods=["POST"])
def register():
    employer_id = current_user.employer_id
    form = _form(trainees.open_runs_for_client(employer_id) if employer_id else [])
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("employer.courses"))
    run = run_or_404(form.run_id.data)
    register_and_report(run, form)
    return redirect(url_for("employer.courses", _anchor=f"session-{run.id}"))


@bp.route("/formations-courtes/inscriptions/<int:enrolment_id>/retirer", methods=["POST"])
def withdraw(enrolment_id: int):
    enrolment = db.session.get(Enrolment, known_id(enrolment_id))
    # Another employer's trainee answers as an unknown one: a contact learns nothing of other clients' staff.
    if enrolment is None or enrolment.employer_id is None or enrolment.employer_id != current_user.employer_id:
        abort(404)
    form = TraineeRemovalForm()
    if form.validate_on_submit():
        withdraw_and_report(enrolment, form)
    return redirect(url_for("employer.courses"))
