"""A run's half-days placed from a pattern (6 days over three weeks...), previewed with their double bookings."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.forms import choices
from cfa.forms.courses import PatternForm
from cfa.models import HalfDay, Role
from cfa.services import course_planning
from cfa.services.conflicts import describe_conflicts
from cfa.services.permissions import Ability
from cfa.services.replanning import ConflictsFound, PlanningError
from cfa.views.access import requires
from cfa.views.courses import bp
from cfa.views.courses.runs import run_or_404

PARTS = {"both": (HalfDay.AM, HalfDay.PM), "am": (HalfDay.AM,), "pm": (HalfDay.PM,)}


def _form(run) -> PatternForm:
    programme = run.programme
    defaults = dict(
        start=max(run.start_date, today_paris()),
        days=max(1, -(-programme.total_minutes // 420)),  # a full day is about 7 hours
        morning_start=programme.morning_start,
        morning_end=programme.morning_end,
        afternoon_start=programme.afternoon_start,
        afternoon_end=programme.afternoon_end,
        trainer_id=run.lead_trainer_id,
        room_id=run.default_room_id,
    )
    form = PatternForm(**(defaults if request.method == "GET" else {}))
    form.trainer_id.set_choices(choices.people_with_role(Role.TRAINER, run.lead_trainer_id))
    form.room_id.set_choices(choices.rooms())
    return form


def _pattern(form: PatternForm) -> course_planning.Pattern:
    return course_planning.Pattern(
        start=form.start.data,
        days=form.days.data,
        weekdays=tuple(int(d) for d in form.weekdays.data),
        half_days=PARTS.get(form.parts.data, PARTS["both"]),
        morning=(form.morning_start.data, form.morning_end.data),
        afternoon=(form.afternoon_start.data, form.afternoon_end.data),
        trainer_id=form.trainer_id.data,
        room_id=form.room_id.data,
    )


@bp.route("/sessions/<int:cohort_id>/modele", methods=["GET", "POST"])
@requires(Ability.MANAGE_PLANNING)
def pattern(cohort_id: int):
    run = run_or_404(cohort_id)
    form = _form(run)
    preview = None
    if form.validate_on_submit():
        preview = course_planning.preview_pattern(run, _pattern(form))
        if "enregistrer" in request.form and (created := _apply(preview, form)) is not None:
            db.session.commit()
            flash(f"{created} demi-journée(s) ajoutée(s) à la session.", "success")
            return redirect(url_for("courses.run", cohort_id=run.id))
    conflicts = describe_conflicts(preview.conflicts) if preview else []
    refusals = preview.refusals(today_paris()) if preview else []
    return render_template(
        "courses/pattern.html", run=run, form=form, preview=preview, conflicts=conflicts, refusals=refusals
    )


def _apply(preview, form: PatternForm) -> int | None:
    """How many half-days were written, or None when refused (the reason goes under the form)."""
    try:
        return len(course_planning.apply_pattern(preview, current_user, accept_conflicts=form.accept_conflicts.data))
    except ConflictsFound:
        db.session.rollback()
        form.accept_conflicts.errors.append("Cochez cette case pour enregistrer malgré les conflits listés.")
    except PlanningError as error:
        db.session.rollback()
        form.start.errors.append(str(error))
    return None
