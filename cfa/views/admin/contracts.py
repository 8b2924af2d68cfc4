"""An apprentice's contract file: a rupture, a new employer, the end of the months without employer, the OPCO's
payments, and the CFA's list of what falls due this month per OPCO."""

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.forms.contracts import NewEmployerForm, PaymentForm, RuptureForm, SearchEndForm
from cfa.models import EmployerPeriod, MilestoneKind, RuptureCause, RuptureParty, SearchOutcome
from cfa.services import contracts
from cfa.services.contracts import ContractError, PeriodValues
from cfa.views.admin import bp
from cfa.views.admin.enrolments import _load, _page, contract_forms


def _done(obj_id: int, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("admin.enrolment", obj_id=obj_id))


def _refused(obj_id: int, form, name: str, error: ContractError):
    db.session.rollback()
    field = getattr(form, error.field or "", None)
    (field.errors if field is not None else form.form_errors).append(str(error))
    return _page(_load(obj_id), status=422, **{name: form})


@bp.route("/inscriptions/<int:obj_id>/rupture", methods=["POST"])
def record_rupture(obj_id: int):
    enrolment, form = _load(obj_id), RuptureForm()
    if not form.validate_on_submit():
        return _page(enrolment, status=422, rupture=form)
    try:
        by, cause = RuptureParty(form.ended_by.data), RuptureCause(form.end_cause.data)
        contracts.record_rupture(current_user, enrolment, form.ended_on.data, by, cause, form.reason.data or "")
    except ContractError as error:
        return _refused(obj_id, form, "rupture", error)
    return _done(obj_id, "Rupture enregistrée : l'employeur ne suit plus l'apprenti·e après cette date.")


@bp.route("/inscriptions/<int:obj_id>/nouvel-employeur", methods=["POST"])
def new_employer(obj_id: int):
    enrolment, form = _load(obj_id), contract_forms({"new_employer": NewEmployerForm()})["new_employer"]
    if not form.validate_on_submit():
        return _page(enrolment, status=422, new_employer=form)
    d = form.data
    values = PeriodValues(d["employer_id"], d["tutor_id"], d["starts_on"], d["ends_on"], d["salary_scale"] or None)
    try:
        contracts.new_employer(current_user, enrolment, values)
    except ContractError as error:
        return _refused(obj_id, form, "new_employer", error)
    return _done(obj_id, "Nouveau contrat enregistré.")


@bp.route("/inscriptions/<int:obj_id>/fin-recherche", methods=["POST"])
def end_search(obj_id: int):
    enrolment, form = _load(obj_id), SearchEndForm()
    if not form.validate_on_submit():
        return _page(enrolment, status=422, search_end=form)
    try:
        outcome = SearchOutcome(form.outcome.data)
        contracts.end_search(current_user, enrolment, outcome, form.ended_on.data, form.reason.data)
    except ContractError as error:
        return _refused(obj_id, form, "search_end", error)
    return _done(obj_id, "Fin de la période sans employeur enregistrée.")


@bp.route("/contrats/<int:period_id>/versement", methods=["POST"])
def record_payment(period_id: int):
    period, form = db.session.get(EmployerPeriod, period_id) or abort(404), PaymentForm()
    if not form.validate_on_submit():
        return _page(_load(period.enrolment_id), status=422, payment=form)
    try:
        kind = MilestoneKind(form.kind.data)
        contracts.record_payment(current_user, period, kind, form.received_on.data, form.amount.data)
    except ContractError as error:
        return _refused(period.enrolment_id, form, "payment", error)
    return _done(period.enrolment_id, "Versement enregistré.")


@bp.route("/contrats/echeances")
def contracts_due():
    today = today_paris()
    try:
        month = date.fromisoformat(f"{request.args['mois']}-01") if "mois" in request.args else today.replace(day=1)
    except ValueError:
        abort(404)
    return render_template(
        "admin/contracts_due.html",
        month=month,
        due=contracts.due_in_month(month),
        searching=contracts.searching(today),
        deadline=contracts.search_deadline,
        today=today,
    )
