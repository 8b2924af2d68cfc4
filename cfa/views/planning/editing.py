"""An admin plans a cohort, re-plans it from a date, moves or cancels sessions, adds or removes weeks."""

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from cfa.extensions import db
from cfa.formatting import long_date, today_paris
from cfa.forms import choices
from cfa.forms.planning import CancelSessionForm, GenerateForm, SessionForm, WeekForm
from cfa.models import Module, Role, Session
from cfa.services import calendar_queries, planning_edits, replanning
from cfa.services.conflicts import describe_conflicts
from cfa.services.permissions import Ability
from cfa.views.access import requires
from cfa.views.planning import bp, cohort_or_404, known_id, parse_day


@bp.route("/promotions/<int:cohort_id>/generer", methods=["GET", "POST"])
@requires(Ability.MANAGE_PLANNING)
def generate(cohort_id: int):
    cohort = _alternance_or_redirect(cohort_or_404(cohort_id))
    # The preview is a GET with the date in the query string; only saving is a (CSRF-checked) POST.
    posting = request.method == "POST"
    form = GenerateForm(request.form if posting else request.args, meta={} if posting else {"csrf": False})
    result = replanning.preview(cohort, from_date=_from_date(form, cohort))
    if posting and form.validate():
        try:
            counts = replanning.apply(result, current_user, accept_conflicts=form.accept_conflicts.data)
        except replanning.ConflictsFound as error:
            form.accept_conflicts.errors.append(str(error))
        else:
            db.session.commit()
            flash(_saved_message(counts, cohort), "success" if result.plan.missing_minutes == 0 else "warning")
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


def _alternance_or_redirect(cohort):
    """A short course has no alternance rhythm to generate: its half-days are placed from a pattern."""
    if cohort.programme.is_short_course:
        abort(redirect(url_for("courses.pattern", cohort_id=cohort.id)))
    return cohort


def _from_date(form: GenerateForm, cohort) -> date:
    """The day re-planning starts from: today (or the cohort's start) unless given; a French 400 if unusable."""
    if form.from_date.data is None:
        if form.from_date.raw_data and form.from_date.raw_data[0]:
            abort(400, "Date illisible : utilisez le format AAAA-MM-JJ.")
        form.from_date.data = max(today_paris(), cohort.start_date)
    if form.from_date.data > cohort.end_date:
        abort(400, f"La date doit précéder la fin de la promotion ({long_date(cohort.end_date)}).")
    return form.from_date.data


def _saved_message(counts: replanning.Applied, cohort) -> str:
    return (
        f"Planning enregistré : {counts.created} séance(s) créée(s), {counts.updated} modifiée(s), "
        f"{counts.cancelled} annulée(s). {calendar_queries.hours_summary(cohort)}."
    )


@bp.route("/promotions/<int:cohort_id>/semaines", methods=["POST"])
@requires(Ability.MANAGE_PLANNING)
def toggle_week(cohort_id: int):
    cohort = _alternance_or_redirect(cohort_or_404(cohort_id))
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
            clashes = planning_edits.update_session(session, current_user, **_slot_values(form))
        except replanning.PlanningError as error:
            _show_refusal(form, error)
        else:
            db.session.commit()
            flash(
                "Séance modifiée" + (" malgré un conflit de réservation." if clashes else "."),
                "warning" if clashes else "success",
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
    form = SessionForm(**_new_session_defaults(cohort, day))
    _session_choices(form, cohort, cohort.lead_trainer_id)
    if form.validate_on_submit():
        try:
            session = planning_edits.add_session(cohort, current_user, **_slot_values(form))
        except replanning.PlanningError as error:
            _show_refusal(form, error)
        else:
            db.session.commit()
            flash(f"Séance ajoutée. {calendar_queries.hours_summary(cohort)}.", "success")
            return redirect(_week_url(session))
    return render_template("planning/add_session.html", cohort=cohort, form=form, day=day)


def _new_session_defaults(cohort, day: date) -> dict:
    """A new session starts as the cohort's usual morning, in its room, with its lead trainer."""
    programme = cohort.programme
    return dict(
        day=day,
        start_time=programme.morning_start,
        end_time=programme.morning_end,
        room_id=cohort.default_room_id,
        trainer_id=cohort.lead_trainer_id,
    )


SLOT_FIELDS = ("day", "half_day", "start_time", "end_time", "trainer_id", "room_id", "module_id")


def _slot_values(form: SessionForm) -> dict:
    """What a session form asks for, as the keyword arguments of `update_session` and `add_session`."""
    values = {name: getattr(form, name).data for name in SLOT_FIELDS}
    return values | {"accept_conflicts": form.accept_conflicts.data, "accept_warnings": form.accept_warnings.data}


def _show_refusal(form: SessionForm, error: replanning.PlanningError) -> None:
    """Nothing is saved; the reasons go next to the box that accepts them, or under the date."""
    db.session.rollback()
    if isinstance(error, planning_edits.WarningsFound):
        form.accept_warnings.errors.extend(w.message for w in error.warnings)
    elif isinstance(error, replanning.ConflictsFound):
        form.accept_conflicts.errors.extend(describe_conflicts(error.conflicts))
    else:
        form.day.errors.append(str(error))


def _week_url(session: Session) -> str:
    return url_for("planning.week", cohort_id=session.cohort_id, du=session.date.isoformat())
