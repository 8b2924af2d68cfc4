"""An admin plans a cohort, re-plans it from a date, moves or cancels sessions, adds or removes weeks."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from cfa.extensions import db
from cfa.formatting import long_date, today_paris
from cfa.forms import choices
from cfa.forms.planning import CancelSessionForm, GenerateForm, SessionForm, WeekForm
from cfa.models import Module, Role, Session
from cfa.services import calendar_queries, conflicts, planning_edits, replanning
from cfa.services.permissions import Ability
from cfa.views.access import requires
from cfa.views.planning import bp, cohort_or_404, known_id, parse_day


@bp.route("/promotions/<int:cohort_id>/generer", methods=["GET", "POST"])
@requires(Ability.MANAGE_PLANNING)
def generate(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    # The preview is a GET with the date in the query string; only saving is a (CSRF-checked) POST.
    posting = request.method == "POST"
    form = GenerateForm(request.form if posting else request.args, meta={} if posting else {"csrf": False})
    if form.from_date.data is None:
        if form.from_date.raw_data and form.from_date.raw_data[0]:
            abort(400, "Date illisible : utilisez le format AAAA-MM-JJ.")
        form.from_date.data = max(today_paris(), cohort.start_date)
    if form.from_date.data > cohort.end_date:
        abort(400, f"La date doit précéder la fin de la promotion ({long_date(cohort.end_date)}).")
    result = replanning.preview(cohort, from_date=form.from_date.data)
    if posting and form.validate():
        try:
            counts = replanning.apply(result, current_user, accept_conflicts=form.accept_conflicts.data)
        except replanning.ConflictsFound as error:
            form.accept_conflicts.errors.append(str(error))
        else:
            db.session.commit()
            flash(
                f"Planning enregistré : {counts.created} séance(s) créée(s), {counts.updated} modifiée(s), "
                f"{counts.cancelled} annulée(s). {calendar_queries.hours_summary(cohort)}.",
                "success" if result.plan.missing_minutes == 0 else "warning",
            )
            return redirect(url_for("planning.cohort", cohort_id=cohort.id))
    return render_template(
        "planning/generate.html",
        cohort=cohort,
        form=form,
        result=result,
        conflicts=result.messages(),
        changes=replanning.changes(result),
        summary=calendar_queries.hours_summary(cohort, result.plan.planned_minutes),
    )


@bp.route("/promotions/<int:cohort_id>/semaines", methods=["POST"])
@requires(Ability.MANAGE_PLANNING)
def toggle_week(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    form = WeekForm()
    if not form.validate_on_submit():
        abort(400)
    monday = parse_day(form.monday.data)
    at_centre = form.at_centre.data == "1"
    try:
        result = planning_edits.set_course_week(cohort, monday, at_centre, current_user)
        replanning.apply(result, current_user)
    except replanning.ConflictsFound:
        # Keep the admin's choice of week and let them decide on the clashes on the planning page.
        db.session.commit()
        flash("Cette semaine crée des conflits de réservation : vérifiez-les avant d'enregistrer.", "warning")
        return redirect(url_for("planning.generate", cohort_id=cohort.id, from_date=monday.isoformat()))
    except replanning.PlanningError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        verb = "ajoutée au" if at_centre else "retirée du"
        flash(f"Semaine du {long_date(monday)} {verb} planning. {calendar_queries.hours_summary(cohort)}.", "success")
    return redirect(url_for("planning.cohort", cohort_id=cohort.id, _anchor=f"s-{monday.isoformat()}"))


def _session_or_404(session_id: int) -> Session:
    session = db.session.get(Session, known_id(session_id))
    if session is None:
        abort(404)
    return session


def _session_choices(form: SessionForm, cohort, trainer_id: int | None = None) -> None:
    modules = db.session.execute(
        db.select(Module.id, Module.code, Module.title)
        .where(Module.programme_id == cohort.programme_id)
        .order_by(Module.position)
    )
    form.module_id.set_choices([(m.id, f"{m.code} – {m.title}") for m in modules])
    form.trainer_id.set_choices(choices.people_with_role(Role.TRAINER, trainer_id))
    form.room_id.set_choices(choices.rooms())


@bp.route("/seances/<int:session_id>", methods=["GET", "POST"])
@requires(Ability.MANAGE_PLANNING)
def edit_session(session_id: int):
    session = _session_or_404(session_id)
    form = SessionForm(obj=session, day=session.date)
    _session_choices(form, session.cohort, session.trainer_id)
    cancel_form = CancelSessionForm(prefix="annulation")
    if form.validate_on_submit():
        try:
            conflicts = planning_edits.update_session(
                session,
                current_user,
                day=form.day.data,
                half_day=form.half_day.data,
                start_time=form.start_time.data,
                end_time=form.end_time.data,
                trainer_id=form.trainer_id.data,
                room_id=form.room_id.data,
                module_id=form.module_id.data,
                accept_conflicts=form.accept_conflicts.data,
                accept_warnings=form.accept_warnings.data,
            )
        except planning_edits.WarningsFound as error:
            db.session.rollback()
            form.accept_warnings.errors.extend(w.message for w in error.warnings)
        except replanning.ConflictsFound as error:
            db.session.rollback()
            form.accept_conflicts.errors.extend(conflicts.describe_conflicts(error.conflicts))
        except replanning.PlanningError as error:
            db.session.rollback()
            form.day.errors.append(str(error))
        else:
            db.session.commit()
            flash(
                "Séance modifiée" + (" malgré un conflit de réservation." if conflicts else "."),
                "warning" if conflicts else "success",
            )
            return redirect(_week_url(session))
    return render_template("planning/session.html", session=session, form=form, cancel_form=cancel_form)


@bp.route("/seances/<int:session_id>/annuler", methods=["POST"])
@requires(Ability.MANAGE_PLANNING)
def cancel_session(session_id: int):
    session = _session_or_404(session_id)
    cancel_form = CancelSessionForm(prefix="annulation")
    if cancel_form.validate_on_submit():
        try:
            planning_edits.cancel_session(session, current_user, cancel_form.reason.data.strip())
        except replanning.PlanningError as error:
            db.session.rollback()
            cancel_form.reason.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Séance annulée. {calendar_queries.hours_summary(session.cohort)}.", "warning")
            return redirect(_week_url(session))
    form = SessionForm(obj=session, day=session.date)
    _session_choices(form, session.cohort, session.trainer_id)
    return render_template("planning/session.html", session=session, form=form, cancel_form=cancel_form), 422


@bp.route("/promotions/<int:cohort_id>/seances/ajouter", methods=["GET", "POST"])
@requires(Ability.MANAGE_PLANNING)
def add_session(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    day = parse_day(request.args.get("du")) or max(today_paris(), cohort.start_date)
    form = SessionForm(
        day=day, start_time=cohort.programme.morning_start, end_time=cohort.programme.morning_end,
        room_id=cohort.default_room_id, trainer_id=cohort.lead_trainer_id,
    )  # fmt: skip
    _session_choices(form, cohort, cohort.lead_trainer_id)
    if form.validate_on_submit():
        try:
            session = planning_edits.add_session(
                cohort,
                current_user,
                day=form.day.data,
                half_day=form.half_day.data,
                start_time=form.start_time.data,
                end_time=form.end_time.data,
                trainer_id=form.trainer_id.data,
                room_id=form.room_id.data,
                module_id=form.module_id.data,
                accept_conflicts=form.accept_conflicts.data,
                accept_warnings=form.accept_warnings.data,
            )
        except planning_edits.WarningsFound as error:
            db.session.rollback()
            form.accept_warnings.errors.extend(w.message for w in error.warnings)
        except replanning.ConflictsFound as error:
            db.session.rollback()
            form.accept_conflicts.errors.extend(conflicts.describe_conflicts(error.conflicts))
        except replanning.PlanningError as error:
            db.session.rollback()
            form.day.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Séance ajoutée. {calendar_queries.hours_summary(cohort)}.", "success")
            return redirect(_week_url(session))
    return render_template("planning/add_session.html", cohort=cohort, form=form, day=day)


def _week_url(session: Session) -> str:
    return url_for("planning.week", cohort_id=session.cohort_id, du=session.date.isoformat())
