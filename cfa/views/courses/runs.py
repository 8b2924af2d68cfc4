"""The CFA's pages of short courses: the runs (sessions de formation) of every action, creating and editing one,
and its page with its half-days and trainees."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.forms import choices
from cfa.forms.courses import RunForm, TraineeForm, TraineeRemovalForm
from cfa.models import CourseAudience, Role
from cfa.services import short_courses, trainees
from cfa.services.calendar_queries import hours_summary
from cfa.services.permissions import Ability
from cfa.views.access import requires
from cfa.views.courses import bp
from cfa.views.crud import paginate
from cfa.views.forms import form_page
from cfa.views.planning import known_id


def run_or_404(cohort_id: int):
    """The session de formation; 404 for an unknown id or a cohort of an apprenticeship."""
    return short_courses.short_course_or_none(known_id(cohort_id)) or abort(404)


def audience_filter() -> CourseAudience | None:
    value = request.args.get("public")
    return CourseAudience(value) if value in {a.value for a in CourseAudience} else None


@bp.route("/")
@requires(Ability.MANAGE_SETUP)
def runs():
    year, audience = request.args.get("annee", type=int), audience_filter()
    programme_id = request.args.get("formation", type=int)
    page = paginate(short_courses.runs_statement(year, audience, programme_id))
    return render_template(
        "courses/runs.html",
        page=page,
        counts=short_courses.run_counts([run.id for run in page.items]),
        years=short_courses.run_years(),
        audiences=CourseAudience,
        year=year,
        audience=audience,
    )


def _run_form(run=None) -> RunForm:
    form = RunForm(obj=run)
    form.programme_id.choices = choices.short_courses()
    form.centre_id.choices = choices.centres()
    form.client_id.set_choices(choices.employers())
    form.lead_trainer_id.set_choices(choices.people_with_role(Role.TRAINER, run and run.lead_trainer_id))
    form.default_room_id.set_choices(choices.rooms())
    if run is None and request.method == "GET":
        form.programme_id.data = request.args.get("formation", type=int)
    return form


def _save(form: RunForm, run):
    """The saved run, or None when refused (the message then sits beside its field)."""
    values = {name: form[name].data for name in short_courses.RunValues.__dataclass_fields__}
    try:
        return short_courses.save_run(current_user, run, short_courses.RunValues(**values))
    except short_courses.CourseError as error:
        db.session.rollback()
        (form[error.field].errors if error.field in form else form.form_errors).append(str(error))
        return None


@bp.route("/sessions/nouvelle", methods=["GET", "POST"], defaults={"cohort_id": None})
@bp.route("/sessions/<int:cohort_id>/modifier", methods=["GET", "POST"])
@requires(Ability.MANAGE_SETUP)
def edit_run(cohort_id: int | None):
    run = run_or_404(cohort_id) if cohort_id is not None else None
    form = _run_form(run)
    if form.validate_on_submit() and (saved := _save(form, run)) is not None:
        db.session.commit()
        flash("Session de formation enregistrée.", "success")
        return redirect(url_for("courses.run", cohort_id=saved.id))
    back = url_for("courses.run", cohort_id=run.id) if run else url_for("courses.runs")
    title = f"Modifier : {run.name}" if run else "Nouvelle session de formation"
    return form_page(form, title, None, back)


@bp.route("/sessions/<int:cohort_id>")
@requires(Ability.MANAGE_SETUP)
def run(cohort_id: int):
    run = run_or_404(cohort_id)
    form = TraineeForm()
    form.employer_id.set_choices(choices.employers())
    if run.client_id is not None:
        form.employer_id.data = run.client_id
    return render_template(
        "courses/run.html",
        run=run,
        place=short_courses.place_of(run),
        sessions=short_courses.run_sessions([run.id], live_only=False).get(run.id, []),
        trainees=trainees.run_trainees(run.id),
        summary=hours_summary(run),
        form=form,
        removal_form=TraineeRemovalForm(),
        today=today_paris(),
    )
