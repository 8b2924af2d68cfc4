"""Attendance documents: feuilles d'émargement, certificats de réalisation, attestations d'assiduité."""

from datetime import date

from flask import abort
from flask_login import current_user
from werkzeug.utils import secure_filename

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.models import Enrolment
from cfa.renderers.archive import zip_of
from cfa.renderers.pdf.attendance_sheet import render_attendance_sheets
from cfa.renderers.pdf.certificat_realisation import render_attestation, render_certificats
from cfa.services import attendance, calendar_queries
from cfa.services import attendance_documents as docs
from cfa.services.calendar_generation import monday_of
from cfa.services.enrolments import cohort_enrolments
from cfa.services.permissions import (
    Ability,
    can_get_attendance_documents,
    can_print_cohort_sheets,
    can_print_sheet,
)
from cfa.views.access import requires, signed_in
from cfa.views.attendance import bp
from cfa.views.downloads import attachment, cfa_identity
from cfa.views.params import date_arg
from cfa.views.planning import cohort_or_404


def _printable_session_or_404(session_id: int):
    session = attendance.load_session(session_id)
    if session is None:
        abort(404)
    if not can_print_sheet(current_user, session):
        abort(403)
    return session


@bp.route("/seances/<int:session_id>/feuille.pdf")
@requires(Ability.TAKE_ATTENDANCE, Ability.MANAGE_QUALITY)
def sheet_pdf(session_id: int):
    session = _printable_session_or_404(session_id)
    body = render_attendance_sheets(docs.sheet_pages([session]), cfa_identity())
    return attachment(
        body,
        f"Émargement {session.cohort.name} {session.date:%Y-%m-%d} {session.half_day.label}.pdf",
        "application/pdf",
        inline=True,
    )


@bp.route("/promotions/<int:cohort_id>/semaine.pdf")
@signed_in
def week_pdf(cohort_id: int):
    cohort = cohort_or_404(cohort_id, can_print_cohort_sheets)
    monday = monday_of(date_arg("du", today_paris()))
    body = render_attendance_sheets(docs.sheet_pages(docs.week_sessions(cohort.id, monday)), cfa_identity())
    return attachment(
        body, f"Émargement {cohort.name} semaine du {monday:%Y-%m-%d}.pdf", "application/pdf", inline=True
    )


def _enrolment_for_documents(enrolment_id: int) -> Enrolment:
    """The CFA prints any apprentice's documents; an apprentice downloads their own."""
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None:
        abort(404)
    if not can_get_attendance_documents(current_user, enrolment):
        abort(403)
    return enrolment


def _periods(enrolment: Enrolment, by_contract: bool = False):
    start = date_arg("du", enrolment.contract_start)
    end = date_arg("au", min(enrolment.last_day, today_paris()))
    periods = docs.periods_for([enrolment], start, end, by_contract) if start <= end else []
    if not periods:
        abort(404)
    return periods


@bp.route("/inscriptions/<int:enrolment_id>/certificat-realisation.pdf")
@signed_in
def certificat(enrolment_id: int):
    enrolment = _enrolment_for_documents(enrolment_id)
    periods = _periods(enrolment, by_contract=True)  # one certificat per contract: each has its funder
    body = render_certificats(periods, cfa_identity(), today_paris())
    name = secure_filename(enrolment.apprentice.full_name) or "apprenti"
    return attachment(body, f"Certificat de réalisation {name} {periods[0].start:%Y-%m-%d}.pdf", "application/pdf")


@bp.route("/inscriptions/<int:enrolment_id>/attestation-assiduite.pdf")
@signed_in
def attestation(enrolment_id: int):
    enrolment = _enrolment_for_documents(enrolment_id)
    (period,) = _periods(enrolment)
    body = render_attestation(period, cfa_identity(), today_paris())
    name = secure_filename(enrolment.apprentice.full_name) or "apprenti"
    return attachment(body, f"Attestation d'assiduité {name}.pdf", "application/pdf")


@bp.route("/promotions/<int:cohort_id>/certificats-<month>.zip")
@requires(Ability.MANAGE_ATTENDANCE)
def cohort_certificats(cohort_id: int, month: str):
    """For the funders: every apprentice's certificat de réalisation for one month, one PDF each."""
    cohort = calendar_queries.load_cohort(cohort_id)
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        abort(404)
    if cohort is None:
        abort(404)
    start, end = docs.month_bounds(first)
    periods = docs.periods_for(cohort_enrolments(cohort.id), start, end, by_contract=True)
    identity, today = cfa_identity(), today_paris()
    files = [
        (
            f"{secure_filename(p.enrolment.apprentice.sort_name) or p.enrolment.id}-{month}-{p.start:%d}.pdf",
            render_certificats([p], identity, today),
        )
        for p in periods
    ]
    return attachment(zip_of(files), f"Certificats de réalisation {cohort.name} {month}.zip", "application/zip")
