"""The CFA's queue of micro-certification requests: requesting for someone, appointing the assessor, recording the
results per domain (each success issues the certificate and the signed badge), withdrawing."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.forms.micro_requests import RequestForForm, ScheduleForm, WithdrawForm, results_form
from cfa.models import MicroCertRequest, RequestStatus, User
from cfa.services import audit
from cfa.services.assessment import AssessmentError
from cfa.services.assessment_awards import learner_choices, micro_certification_choices
from cfa.services.micro_requests import (
    DomainResult,
    assessor_choices,
    latest_entry_course,
    load_request,
    record_results,
    request_micro_certification,
    requests_listing,
    schedule_assessment,
    status_counts,
    withdraw_request,
)
from cfa.services.permissions import (
    Ability,
    can_assess_micro_request,
    can_manage_micro_requests,
    can_view_micro_request,
)
from cfa.views.access import requires
from cfa.views.courses import bp
from cfa.views.crud import CONFLICT, commit_or_report, paginate
from cfa.views.forms import form_page

AUDIT_LABELS = {
    "status": "Statut",
    "assessment_date": "Date d'évaluation",
    "assessor_id": "Évaluateur·rice (n°)",
    "assessed_at": "Résultats saisis le",
    "withdrawal_reason": "Motif du retrait",
    "learner_id": "Personne (n°)",
    "source_enrolment_id": "Inscription au socle (n°)",
    "domains": "Domaines",
    "domain": "Domaine",
    "acquired": "Acquis",
    "comment": "Commentaire",
    "award": "Code de la certification délivrée",
}


@bp.route("/micro-certifications")
@requires(Ability.AWARD_MICRO_CERTIFICATIONS)
def micro_requests():
    status, q = request.args.get("statut"), request.args.get("q", "").strip()
    # A trainer's queue is the requests they are appointed to assess; the CFA's is every request.
    mine = None if can_manage_micro_requests(current_user) else current_user.id
    page = paginate(requests_listing(status, q, assessor_id=mine))
    counts = status_counts() if mine is None else None
    return render_template(
        "courses/micro_requests.html", page=page, status=status, q=q, statuses=RequestStatus, counts=counts
    )


def _new_request(form: RequestForForm) -> MicroCertRequest | None:
    learner = db.session.get(User, form.learner_id.data)
    try:
        source = latest_entry_course(learner.id)
        return request_micro_certification(current_user, learner, form.domains.data, on=today_paris(), source=source)
    except AssessmentError as error:
        getattr(form, error.field or "learner_id").errors.append(str(error))
        return None


@bp.route("/micro-certifications/nouvelle", methods=["GET", "POST"])
@requires(Ability.MANAGE_JURY)
def new_micro_request():
    form = RequestForForm()
    form.learner_id.choices = learner_choices()
    form.domains.choices = micro_certification_choices()
    if request.method == "GET":
        form.learner_id.data = request.args.get("personne", type=int)
    if form.validate_on_submit() and (made := _new_request(form)) and commit_or_report():
        flash("Demande enregistrée : planifiez maintenant son évaluation.", "success")
        return redirect(url_for("courses.micro_request", request_id=made.id))
    hint = "La demande est rattachée à la dernière formation socle de la personne, si elle en a suivi une."
    title = "Demander une micro-certification pour une personne"
    return form_page(form, title, hint, url_for(".micro_requests"), submit_label="Enregistrer la demande")


def _request(request_id: int) -> MicroCertRequest:
    """The request, if the person may see it; others get the same 404 as for a request that does not exist."""
    found = load_request(request_id)
    if found is None or not can_view_micro_request(current_user, found):
        abort(404)
    return found


def _forms(found: MicroCertRequest, **posted) -> dict:
    schedule = posted.get("schedule") or ScheduleForm(formdata=None, obj=found)
    schedule.assessor_id.choices = assessor_choices()
    if schedule.assessment_date.data is None:
        schedule.assessment_date.data = today_paris()
    return {
        "schedule": schedule,
        "results": posted.get("results") or results_form(found.domains, formdata=None),
        "withdraw": posted.get("withdraw") or WithdrawForm(formdata=None),
    }


def _page(found: MicroCertRequest, status: int = 200, **posted):
    return render_template(
        "courses/micro_request.html",
        req=found,
        forms=_forms(found, **posted),
        can_manage=can_manage_micro_requests(current_user),
        can_assess=can_assess_micro_request(current_user, found),
        today=today_paris(),
        events=audit.history("micro_cert_request", found.id),
        labels=AUDIT_LABELS,
    ), status


@bp.route("/micro-certifications/<int:request_id>")
@requires(Ability.AWARD_MICRO_CERTIFICATIONS)
def micro_request(request_id: int):
    return _page(_request(request_id))


def _apply(form, change, success: str) -> bool:
    """Run the service on a valid form and commit once; a refusal is shown beside the form's field."""
    if not form.validate_on_submit():
        return False
    try:
        change()
    except IntegrityError:
        db.session.rollback()
        flash(CONFLICT, "error")
        return False
    except AssessmentError as error:
        db.session.rollback()
        field = getattr(form, error.field or "", None)
        if field is None:  # about the request itself, not a field: shown above whatever form is on the page
            flash(str(error), "error")
        else:
            field.errors.append(str(error))
        return False
    if not commit_or_report():
        return False
    flash(success, "success")
    return True


@bp.route("/micro-certifications/<int:request_id>/planification", methods=["POST"])
@requires(Ability.MANAGE_JURY)
def schedule_micro_request(request_id: int):
    found = _request(request_id)
    form = ScheduleForm()
    form.assessor_id.choices = assessor_choices()

    def change():
        assessor = db.session.get(User, form.assessor_id.data)
        schedule_assessment(current_user, found.id, on=form.assessment_date.data, assessor=assessor)

    if _apply(form, change, "Évaluation planifiée."):
        return redirect(url_for(".micro_request", request_id=found.id))
    return _page(_request(request_id), 422, schedule=form)


def _decisions(form, rows) -> dict[int, DomainResult]:
    return {
        row.id: DomainResult(form[f"acquired_{row.id}"].data == "1", form[f"comment_{row.id}"].data or "")
        for row in rows
    }


@bp.route("/micro-certifications/<int:request_id>/resultats", methods=["POST"])
@requires(Ability.AWARD_MICRO_CERTIFICATIONS)
def assess_micro_request(request_id: int):
    found = _request(request_id)
    if not can_assess_micro_request(current_user, found):
        abort(403)
    form = results_form(found.domains)

    def change():
        record_results(current_user, found.id, _decisions(form, found.domains), today=today_paris())

    if _apply(form, change, "Résultats enregistrés ; chaque domaine acquis a sa certification."):
        return redirect(url_for(".micro_request", request_id=found.id))
    return _page(_request(request_id), 422, results=form)


@bp.route("/micro-certifications/<int:request_id>/retrait", methods=["POST"])
@requires(Ability.MANAGE_JURY)
def withdraw_micro_request(request_id: int):
    found = _request(request_id)
    form = WithdrawForm()
    if _apply(form, lambda: withdraw_request(current_user, found.id, form.reason.data), "Demande retirée."):
        return redirect(url_for(".micro_request", request_id=found.id))
    return _page(_request(request_id), 422, withdraw=form)
