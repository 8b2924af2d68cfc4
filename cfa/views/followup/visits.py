"""Company visits and tripartite meetings: planned, held with a report, follow-up actions; the overdue ones."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.forms import followup as forms
from cfa.models import Visit, VisitKind
from cfa.services import visits
from cfa.services.permissions import (
    Ability,
    can,
    can_follow_enrolment,
    can_read_followup,
    followup_enrolments_clause,
    is_referent_side,
)
from cfa.views.access import requires, signed_in
from cfa.views.crud import commit_or_report
from cfa.views.followup import bp
from cfa.views.followup.apprentices import enrolment_or_404
from cfa.views.forms import form_page, posted


def _visit_or_404(visit_id: int) -> Visit:
    visit = db.session.get(Visit, visit_id, options=[selectinload(Visit.actions), selectinload(Visit.enrolment)])
    if visit is None or not can_read_followup(current_user, visit.enrolment):
        abort(404)
    if visit.held_on is None and not can_follow_enrolment(current_user, visit.enrolment):
        abort(404)  # the apprentice reads the reports of held visits only
    return visit


@bp.route("/apprentis/<int:enrolment_id>/visites/nouvelle", methods=["GET", "POST"])
@signed_in
def plan_visit(enrolment_id: int):
    enrolment = enrolment_or_404(enrolment_id, is_referent_side)
    form = forms.VisitPlanForm()
    if form.validate_on_submit():
        try:
            visits.plan_visit(current_user, enrolment, VisitKind(form.kind.data), form.planned_on.data, form.place.data)
        except visits.VisitError as error:
            flash(str(error), "error")
        else:
            if commit_or_report():
                flash("Visite planifiée.", "success")
                return redirect(url_for("followup.apprentice", enrolment_id=enrolment.id) + "#visites")
    back = url_for("followup.apprentice", enrolment_id=enrolment.id)
    return form_page(form, f"Planifier une visite – {enrolment.apprentice.full_name}", None, back, "Planifier")


@bp.route("/visites/<int:visit_id>", methods=["GET", "POST"])
@signed_in
def visit(visit_id: int):
    visit = _visit_or_404(visit_id)
    editable = is_referent_side(current_user, visit.enrolment)
    form = forms.VisitReportForm(obj=visit if visit.held_on else None)
    if editable and form.validate_on_submit():
        try:
            visits.hold_visit(current_user, visit, visits.VisitReport(**_report(form)), today_paris())
        except visits.VisitError as error:
            flash(str(error), "error")
        else:
            if commit_or_report():
                flash("Compte rendu enregistré.", "success")
                return redirect(url_for("followup.visit", visit_id=visit.id))
    return render_template(
        "followup/visit.html", visit=visit, form=form if editable else None, action_form=forms.VisitActionForm()
    )


def _report(form) -> dict:
    names = ("held_on", "remote", "place", "attendees", "objectives", "observations", "decisions")
    return {name: getattr(form, name).data for name in names}


@bp.route("/visites/<int:visit_id>/actions", methods=["POST"])
@signed_in
def add_action(visit_id: int):
    visit = _visit_or_404(visit_id)
    if not is_referent_side(current_user, visit.enrolment):
        abort(403)
    form = forms.VisitActionForm()
    if not form.validate_on_submit():
        flash("Une action de suivi dit quoi faire et qui s'en charge.", "error")
    else:
        try:
            visits.add_action(current_user, visit, form.description.data, form.owner.data, form.due_on.data)
        except visits.VisitError as error:
            flash(str(error), "error")
        else:
            if commit_or_report():
                flash("Action de suivi ajoutée.", "success")
    return redirect(url_for("followup.visit", visit_id=visit.id) + "#actions")


@bp.route("/visites/<int:visit_id>/actions/<int:action_id>/faite", methods=["POST"])
@signed_in
def action_done(visit_id: int, action_id: int):
    visit = _visit_or_404(visit_id)
    action = next((a for a in visit.actions if a.id == action_id and a.done_on is None), None)
    if action is None or not posted():
        abort(404)
    if not is_referent_side(current_user, visit.enrolment):
        abort(403)
    visits.mark_action_done(current_user, action, today_paris())
    if commit_or_report():
        flash("Action de suivi marquée comme faite.", "success")
    return redirect(url_for("followup.visit", visit_id=visit.id) + "#actions")


@bp.route("/visites")
@requires(Ability.MANAGE_SETUP, Ability.MANAGE_QUALITY, Ability.TAKE_ATTENDANCE)
def overdue():
    scope = sa.true() if can(current_user, Ability.MANAGE_QUALITY) else followup_enrolments_clause(current_user)
    return render_template("followup/overdue.html", enrolments=visits.overdue_enrolments(today_paris(), scope))
