"""The complaints register (Qualiopi 31) for the quality team, and "Faire une réclamation" for anyone signed in."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.forms import choices
from cfa.forms.quality import ComplaintForm, PortalComplaintForm, StepForm
from cfa.models import Complaint, ComplaintStatus
from cfa.renderers.spreadsheets import Field
from cfa.services import complaints
from cfa.services.complaints import ComplaintError
from cfa.services.permissions import Ability, can, can_read_complaint
from cfa.views.access import requires, signed_in
from cfa.views.crud import paginate
from cfa.views.downloads import export_query
from cfa.views.forms import form_page
from cfa.views.params import page_arg, year_arg
from cfa.views.quality import bp

STEP_LABELS = {
    "acknowledge": "Accuser réception",
    "start": "Mettre en traitement",
    "answer": "Enregistrer la réponse",
    "analyse": "Enregistrer l'analyse",
    "close": "Clore",
}


EXPORT_FIELDS = [
    Field("Reçue le", lambda c: c.received_on),
    Field("Canal", lambda c: complaints.CHANNELS.get(c.channel, c.channel)),
    Field("De la part de", lambda c: c.complainant_name),
    Field("Qualité", lambda c: c.complainant_kind),
    Field("Promotion", lambda c: c.cohort.name if c.cohort else None),
    Field("Objet", lambda c: c.subject),
    Field("Description", lambda c: c.description),
    Field("Statut", lambda c: c.status),
    Field("Accusé de réception le", lambda c: c.acknowledged_on),
    Field("Réponse le", lambda c: c.answered_on),
    Field("Réponse", lambda c: c.response),
    Field("Analyse le", lambda c: c.analysed_on),
    Field("Analyse", lambda c: c.analysis),
    Field("Clôture le", lambda c: c.closed_on),
]


def _register_filters():
    """The register as filtered by the page's arguments (year, status, late): the page and its exports agree."""
    year = year_arg(default=None)
    status = request.args.get("statut")
    if status and status not in ComplaintStatus._value2member_map_:
        abort(404, "Statut inconnu.")
    late = request.args.get("retard") == "1"
    return year, status, late, complaints.register_query(year, ComplaintStatus(status) if status else None, late)


@bp.route("/reclamations")
@requires(Ability.MANAGE_QUALITY)
def complaints_register():
    page_arg()
    year, status, late, stmt = _register_filters()
    page = paginate(stmt)
    goal = complaints.targets()
    rows = [(c, complaints.delays(c, goal=goal)) for c in page.items]
    return render_template(
        "quality/complaints.html", page=page, rows=rows, year=year, status=status, late=late, statuses=ComplaintStatus
    )


@bp.route("/reclamations.<fmt>")
@requires(Ability.MANAGE_QUALITY)
def export_complaints(fmt: str):
    stmt = _register_filters()[-1].options(selectinload(Complaint.cohort))
    return export_query(fmt, "Registre des réclamations", EXPORT_FIELDS, stmt)


@bp.route("/reclamations/nouvelle", methods=["GET", "POST"])
@requires(Ability.MANAGE_QUALITY)
def new_complaint():
    form = ComplaintForm(received_on=today_paris())
    form.cohort_id.set_choices(choices.cohorts())
    if form.validate_on_submit():
        values = {k: v for k, v in form.data.items() if k not in ("csrf_token",)}
        return _record(form, lambda: complaints.record_complaint(current_user, **values))
    return form_page(
        form,
        "Enregistrer une réclamation",
        "Arrivée par courriel, courrier, téléphone ou en personne.",
        url_for("quality.complaints_register"),
    )


@bp.route("/mes-reclamations", methods=["GET", "POST"])
@signed_in
def my_complaints():
    form = PortalComplaintForm()
    if form.validate_on_submit():
        values = {"subject": form.subject.data, "description": form.description.data}
        return _record(form, lambda: complaints.record_complaint(current_user, complainant=current_user, **values))
    return render_template("quality/my_complaints.html", form=form, rows=complaints.own_complaints(current_user))


def _record(form, write):
    try:
        complaint = write()
    except ComplaintError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(request.path)
    db.session.commit()
    flash("Réclamation enregistrée : elle sera traitée selon la procédure du CFA.", "success")
    return redirect(url_for("quality.complaint", complaint_id=complaint.id))


def _complaint_or_404(complaint_id: int) -> Complaint:
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        abort(404)
    if not can_read_complaint(current_user, complaint):
        abort(403)
    return complaint


@bp.route("/reclamations/<int:complaint_id>")
@signed_in
def complaint(complaint_id: int):
    item = _complaint_or_404(complaint_id)
    staff = can(current_user, Ability.MANAGE_QUALITY)
    steps = [(k, STEP_LABELS[k]) for k, (allowed, _) in complaints.STEPS.items() if item.status in allowed]
    return render_template(
        "quality/complaint.html",
        complaint=item,
        delays=complaints.delays(item),
        staff=staff,
        steps=steps if staff else [],
        form=StepForm(on=today_paris()),
        channels=complaints.CHANNELS,
    )


@bp.route("/reclamations/<int:complaint_id>/etape/<step>", methods=["POST"])
@requires(Ability.MANAGE_QUALITY)
def complaint_step(complaint_id: int, step: str):
    item = _complaint_or_404(complaint_id)
    form = StepForm()
    if not form.validate_on_submit():
        flash("Indiquez une date valide pour l'étape.", "error")
        return redirect(url_for("quality.complaint", complaint_id=item.id))
    try:
        complaints.advance(current_user, item, step, form.on.data, form.text.data)
    except ComplaintError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash("Étape enregistrée.", "success")
    return redirect(url_for("quality.complaint", complaint_id=item.id))
