"""The CFA's follow-up: sheets to regularise, justifications to decide, attendance rates per cohort."""

import io
from datetime import timedelta

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_login import current_user

from cfa import storage
from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.forms import choices
from cfa.forms.attendance import RefusalForm
from cfa.models import Cohort, Justification, JustificationStatus
from cfa.services import attendance_queries, cohort_lists, justifications
from cfa.services.attendance import AttendanceError
from cfa.services.attendance_followup import sheets_to_finish
from cfa.services.attendance_rates import Rate, rates_by_cohort
from cfa.services.permissions import Ability, can
from cfa.storage import StorageError
from cfa.views.access import requires, signed_in
from cfa.views.attendance import bp
from cfa.views.crud import paginate
from cfa.views.forms import posted
from cfa.views.params import id_arg, list_year


def _cohort_rates(cohorts) -> list[tuple[Cohort, Rate, int]]:
    """A page of cohorts with their attendance, summed by the database for these cohorts only."""
    totals, active = rates_by_cohort(c.id for c in cohorts)
    return [(c, totals[c.id], active[c.id]) for c in cohorts]


@bp.route("/")
@requires(Ability.MANAGE_ATTENDANCE, Ability.MANAGE_QUALITY)  # the quality team reads it (Qualiopi 12)
def overview():
    """Three lists, each one page at a time: a network holds hundreds of cohorts and years of proofs. The centre
    narrows all three; the year (the current one by default) chooses the cohorts whose attendance is shown."""
    today = today_paris()
    centre_id, year = id_arg("centre"), list_year()
    to_finish = paginate(sheets_to_finish(centre_id=centre_id))
    cohorts = paginate(
        cohort_lists.narrowed(sa.select(Cohort).order_by(Cohort.start_date.desc(), Cohort.name), year, centre_id),
        "page_promotions",
    )
    return render_template(
        "attendance/overview.html",
        to_finish=to_finish,
        sheets=attendance_queries.sheets_by_session(s.id for s in to_finish.items),
        pending=paginate(justifications.listing(JustificationStatus.PENDING, centre_id), "page_justificatifs"),
        cohorts=cohorts,
        cohort_rates=_cohort_rates(cohorts.items),
        centre_id=centre_id,
        year=year,
        centres=choices.centres(),
        years=cohort_lists.years(),
        refusal=RefusalForm(),
        months=[(today.replace(day=1) - timedelta(days=28 * i)).replace(day=1) for i in range(1, 4)],
    )


def _justification_or_404(justification_id: int) -> Justification:
    justification = db.session.get(Justification, justification_id)
    if justification is None:
        abort(404)
    return justification


@bp.route("/justificatifs/<int:justification_id>/accepter", methods=["POST"])
@requires(Ability.MANAGE_ATTENDANCE)
def accept(justification_id: int):
    justification = _justification_or_404(justification_id)
    if not posted():
        abort(400)
    try:
        covered = justifications.decide(justification, current_user, accept=True)
    except AttendanceError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"Justificatif accepté : {covered} demi-journée(s) d'absence justifiée(s).", "success")
    return redirect(url_for("attendance.overview"))


@bp.route("/justificatifs/<int:justification_id>/refuser", methods=["POST"])
@requires(Ability.MANAGE_ATTENDANCE)
def refuse(justification_id: int):
    justification = _justification_or_404(justification_id)
    form = RefusalForm()
    if not form.validate_on_submit():
        flash("Indiquez le motif du refus : l'apprenti·e le verra.", "error")
        return redirect(url_for("attendance.overview"))
    try:
        justifications.decide(justification, current_user, accept=False, refusal_reason=form.refusal_reason.data)
    except AttendanceError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash("Justificatif refusé.", "warning")
    return redirect(url_for("attendance.overview"))


@bp.route("/justificatifs/<int:justification_id>/piece")
@signed_in
def proof(justification_id: int):
    """The proof file, for the CFA and for the apprentice who sent it; signed in first, so that an anonymous
    visitor learns nothing of which proofs exist."""
    justification = _justification_or_404(justification_id)
    # A proof is often medical: the CFA and the apprentice see it, not the employer.
    own = justification.enrolment.apprentice_id == current_user.id
    if not (can(current_user, Ability.MANAGE_ATTENDANCE) or own) or justification.proof_path is None:
        abort(404)
    try:
        data = storage.uploads().get(justification.proof_path)
    except StorageError:  # gone (retention), or a path no store may hold
        abort(404)
    return send_file(
        io.BytesIO(data), mimetype=justification.proof_mimetype, download_name=justification.proof_filename, max_age=0
    )
