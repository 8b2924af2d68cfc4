"""A session de formation's documents: convocations (e-mail or paper), the end-of-course assessment, attestations
de fin de formation and certificats de réalisation; a trainee's own documents; the people to survey."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.utils import secure_filename

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.forms.course_documents import parse_outcomes
from cfa.models import ObjectiveOutcome
from cfa.renderers.archive import zip_of
from cfa.renderers.pdf.certificat_realisation import render_certificats
from cfa.renderers.pdf.course_documents import render_course_convocations, render_end_of_course_attestations
from cfa.renderers.spreadsheets import csv_of
from cfa.services import course_documents as docs
from cfa.services.course_documents import OutcomeError
from cfa.services.organisation import current_organisation
from cfa.services.permissions import Ability
from cfa.views.access import requires, signed_in
from cfa.views.courses import bp
from cfa.views.courses.loading import run_or_404, trainee_or_404
from cfa.views.crud import commit_or_report
from cfa.views.downloads import attachment, cfa_identity
from cfa.views.forms import posted

SURVEY_HEADER = ["Stagiaire", "E-mail", "Employeur", "Formation", "Session", "Fin de session"]


def _page_url(cohort_id: int) -> str:
    return url_for("courses.run_documents", cohort_id=cohort_id)


@bp.route("/sessions/<int:cohort_id>/documents")
@requires(Ability.MANAGE_SETUP)
def run_documents(cohort_id: int):
    cohort = run_or_404(cohort_id)
    trainees = docs.trainees(cohort.id)
    periods = {p.enrolment.id: p for p in docs.end_of_course_periods(trainees, cohort)}
    return render_template(
        "courses/run_documents.html",
        cohort=cohort,
        trainees=trainees,
        periods=periods,
        outcomes=list(ObjectiveOutcome),
        ended=today_paris() >= cohort.end_date,
    )


@bp.route("/sessions/<int:cohort_id>/convocations", methods=["POST"])
@requires(Ability.MANAGE_SETUP)
def convene(cohort_id: int):
    cohort = run_or_404(cohort_id)
    if posted():
        contact = docs.contact_line(current_organisation())
        report = docs.convene(cohort, contact, again=request.form.get("toutes") == "1")
        if commit_or_report():
            flash(f"{len(report.emailed)} convocation(s) envoyée(s) par e-mail.", "success")
            if report.on_paper:
                names = ", ".join(e.apprentice.full_name for e in report.on_paper)
                flash(f"Sans adresse e-mail, à remettre sur papier : {names}.", "warning")
    return redirect(_page_url(cohort.id))


@bp.route("/sessions/<int:cohort_id>/convocations.pdf")
@requires(Ability.MANAGE_SETUP)
def convocations_pdf(cohort_id: int):
    """Every trainee's convocation, or with ?papier=1 those of the trainees without an e-mail address."""
    cohort = run_or_404(cohort_id)
    trainees = docs.trainees(cohort.id)
    if request.args.get("papier") == "1":
        trainees = [e for e in trainees if not e.apprentice.email]
    convocations = docs.convocations(cohort, trainees, docs.contact_line(current_organisation()))
    body = render_course_convocations(convocations, cfa_identity(), today_paris())
    return attachment(body, f"Convocations {cohort.name}.pdf", "application/pdf", inline=True)


@bp.route("/sessions/<int:cohort_id>/bilan", methods=["POST"])
@requires(Ability.MANAGE_SETUP)
def record_outcomes(cohort_id: int):
    cohort = run_or_404(cohort_id)
    if not posted():
        abort(400)
    try:
        entries = parse_outcomes(request.form, [e.id for e in docs.trainees(cohort.id)])
        changed = docs.record_outcomes(current_user, cohort, entries, today_paris())
    except (ValueError, OutcomeError) as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(_page_url(cohort.id))
    if commit_or_report():
        flash(f"Bilan enregistré ({changed} changement(s)).", "success")
    return redirect(_page_url(cohort.id))


def _run_files(cohort, render, label: str) -> list[tuple[str, bytes]]:
    identity, today = cfa_identity(), today_paris()
    return [
        (
            f"{label}-{secure_filename(p.enrolment.apprentice.sort_name) or p.enrolment.id}.pdf",
            render([p], identity, today),
        )
        for p in docs.end_of_course_periods(docs.trainees(cohort.id), cohort)
    ]


@bp.route("/sessions/<int:cohort_id>/attestations.zip")
@requires(Ability.MANAGE_SETUP)
def attestations_zip(cohort_id: int):
    cohort = run_or_404(cohort_id)
    files = _run_files(cohort, render_end_of_course_attestations, "attestation")
    return attachment(zip_of(files), f"Attestations de fin de formation {cohort.name}.zip", "application/zip")


@bp.route("/sessions/<int:cohort_id>/certificats.zip")
@requires(Ability.MANAGE_SETUP)
def certificats_zip(cohort_id: int):
    cohort = run_or_404(cohort_id)
    files = _run_files(cohort, render_certificats, "certificat")
    return attachment(zip_of(files), f"Certificats de réalisation {cohort.name}.zip", "application/zip")


@bp.route("/sessions/<int:cohort_id>/stagiaires/<int:enrolment_id>/convocation.pdf")
@signed_in
def trainee_convocation(cohort_id: int, enrolment_id: int):
    enrolment = trainee_or_404(cohort_id, enrolment_id)
    convocations = docs.convocations(enrolment.cohort, [enrolment], docs.contact_line(current_organisation()))
    body = render_course_convocations(convocations, cfa_identity(), today_paris())
    name = secure_filename(enrolment.apprentice.full_name) or "stagiaire"
    return attachment(body, f"Convocation {name}.pdf", "application/pdf")


@bp.route("/sessions/<int:cohort_id>/stagiaires/<int:enrolment_id>/attestation.pdf")
@signed_in
def trainee_attestation(cohort_id: int, enrolment_id: int):
    enrolment = trainee_or_404(cohort_id, enrolment_id)
    if today_paris() < enrolment.cohort.end_date:
        abort(404, "L'attestation de fin de formation est délivrée à partir du dernier jour de la session.")
    periods = docs.end_of_course_periods([enrolment], enrolment.cohort)
    body = render_end_of_course_attestations(periods, cfa_identity(), today_paris())
    name = secure_filename(enrolment.apprentice.full_name) or "stagiaire"
    return attachment(body, f"Attestation de fin de formation {name}.pdf", "application/pdf")


def _year() -> int | None:
    year = request.args.get("annee", type=int)
    return year if year is not None and 2000 <= year <= 2099 else None


@bp.route("/a-interroger")
@requires(Ability.MANAGE_SETUP, Ability.MANAGE_QUALITY)
def survey_list():
    year = _year()
    return render_template("courses/survey_list.html", rows=docs.people_to_survey(today_paris(), year), year=year)


@bp.route("/a-interroger.csv")
@requires(Ability.MANAGE_SETUP, Ability.MANAGE_QUALITY)
def survey_csv():
    year = _year()
    rows = docs.people_to_survey(today_paris(), year)
    body = csv_of(
        SURVEY_HEADER,
        [(r.name, r.email, r.employer, r.course, r.session, r.ended_on) for r in rows],
    )
    return attachment(body, f"Stagiaires à interroger{' ' + str(year) if year else ''}.csv", "text/csv")
