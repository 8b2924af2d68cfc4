"""The person's own micro-certification requests: asking for domains, following the assessment, withdrawing."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from cfa.extensions import db
from cfa.formatting import long_date, today_paris
from cfa.forms.micro_requests import OwnRequestForm, WithdrawForm
from cfa.models import Enrolment
from cfa.services.assessment import AssessmentError
from cfa.services.micro_requests import (
    entry_course_enrolments,
    is_employee,
    load_request,
    own_requests,
    request_micro_certification,
    requestable_domains,
    withdraw_request,
)
from cfa.services.permissions import can_withdraw_micro_request
from cfa.views.crud import commit_or_report
from cfa.views.me import bp


def _form() -> OwnRequestForm:
    form = OwnRequestForm()
    form.domains.choices = [(m.id, f"Domaine {m.domain} – {m.title}") for m in requestable_domains(current_user.id)]
    sources = entry_course_enrolments(current_user.id)
    if not sources:  # nothing to choose from: the request comes from no entry course
        del form.source_id
        return form
    form.source_id.set_choices((e.id, f"{e.cohort.name} ({long_date(e.contract_start)})") for e in sources)
    if request.method == "GET":
        form.source_id.data = sources[0].id
    return form


def _ask(form: OwnRequestForm) -> bool:
    source_id = form.data.get("source_id")
    source = db.session.get(Enrolment, source_id) if source_id else None
    try:
        request_micro_certification(current_user, current_user, form.domains.data, on=today_paris(), source=source)
    except AssessmentError as error:
        getattr(form, error.field or "domains").errors.append(str(error))
        return False
    return commit_or_report()


@bp.route("/micro-certifications", methods=["GET", "POST"])
def micro_requests():
    form = _form()
    if form.validate_on_submit() and _ask(form):
        flash("Demande envoyée : le CFA vous proposera une date d'évaluation.", "success")
        return redirect(url_for("me.micro_requests"))
    return render_template(
        "me/micro_requests.html",
        form=form,
        withdraw=WithdrawForm(formdata=None),
        requests=own_requests(current_user.id),
        employee=is_employee(current_user),
    ), (422 if request.method == "POST" else 200)


@bp.route("/micro-certifications/<int:request_id>/retrait", methods=["POST"])
def withdraw_micro_request(request_id: int):
    found = load_request(request_id)
    if found is None or found.learner_id != current_user.id or not can_withdraw_micro_request(current_user, found):
        abort(404)
    form = WithdrawForm()
    try:
        if form.validate_on_submit():
            withdraw_request(current_user, found.id, form.reason.data)
            if commit_or_report():
                flash("Demande retirée.", "success")
        else:
            flash("Indiquez le motif du retrait.", "error")
    except AssessmentError as error:
        db.session.rollback()
        flash(str(error), "error")
    return redirect(url_for("me.micro_requests"))
