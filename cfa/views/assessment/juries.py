"""Jury sessions (sessions de validation): planning, convocations, results per CCP, publication, success rates."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.utils import secure_filename

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.forms import choices
from cfa.forms.assessment import CorrectionForm, JurySessionForm
from cfa.models import Award, Cohort, Decision, JuryCandidate, JurySession, JuryStatus
from cfa.renderers.pdf.base import Identity
from cfa.renderers.pdf.convocation import convocation_filename, render_convocations
from cfa.services.assessment import (
    AssessmentError,
    add_candidates,
    capitalised_by_learner,
    correct_jury_results,
    load_jury,
    publish_jury,
    record_jury_results,
    results_closed_reason,
    save_jury_session,
)
from cfa.services.assessment_awards import award_options
from cfa.services.assessment_rates import GROUPINGS, success_rates, total
from cfa.services.organisation import current_organisation
from cfa.services.permissions import Ability
from cfa.views.access import requires
from cfa.views.assessment import bp
from cfa.views.assessment.documents import certificates_zip_response
from cfa.views.crud import commit_or_report
from cfa.views.downloads import attachment
from cfa.views.forms import form_page, posted


@bp.route("/jurys")
@requires(Ability.MANAGE_JURY)
def juries():
    sessions = db.session.scalars(
        sa.select(JurySession)
        .options(selectinload(JurySession.cohort), selectinload(JurySession.candidates))
        .order_by(JurySession.date.desc())
    ).all()
    group_by = request.args.get("par", "cohort")
    if group_by not in GROUPINGS:
        group_by = "cohort"
    year = request.args.get("annee", type=int)
    rows = success_rates(group_by, year=year)
    return render_template(
        "assessment/juries.html",
        sessions=sessions,
        rows=rows,
        overall=total(rows),
        group_by=group_by,
        groupings=GROUPINGS,
        year=year,
    )


def _jury(jury_id: int) -> JurySession:
    return load_jury(jury_id) or abort(404)


def _edit(jury: JurySession | None):
    form = JurySessionForm(obj=jury)
    form.cohort_id.choices = choices.cohorts()
    if jury is None and request.method == "GET" and (cohort_id := request.args.get("cohort", type=int)):
        form.cohort_id.data = cohort_id
    if jury is not None and jury.status == JuryStatus.PUBLISHED:
        flash("Les résultats sont publiés : la session ne peut plus être modifiée.", "error")
        return redirect(url_for("assessment.jury", jury_id=jury.id))
    if form.validate_on_submit():
        cohort = db.session.get(Cohort, form.cohort_id.data)
        if cohort and form.date.data < cohort.start_date:
            form.date.errors.append("La session ne peut pas précéder le début de la formation.")
        else:
            values = {"cohort_id": form.cohort_id.data, "date": form.date.data, "start_time": form.start_time.data or None,
                      "place": form.place.data, "members": form.members.data}  # fmt: skip
            try:
                target = save_jury_session(jury, values, current_user)
            except AssessmentError as error:
                form.cohort_id.errors.append(str(error))
            else:
                if commit_or_report():
                    flash("Session de validation enregistrée.", "success")
                    return redirect(url_for("assessment.jury", jury_id=target.id))
    title = "Nouvelle session de validation" if jury is None else "Modifier la session de validation"
    back = url_for("assessment.jury", jury_id=jury.id) if jury else url_for("assessment.juries")
    hint = "Les apprenti·es de la promotion sont convoqué·es à la création."
    if jury is not None:
        hint = "Changer la date, l'heure ou le lieu émet de nouvelles convocations, datées de ce jour."
    return form_page(form, title, hint, back)


@bp.route("/jurys/nouveau", methods=["GET", "POST"])
@requires(Ability.MANAGE_JURY)
def new_jury():
    return _edit(None)


@bp.route("/jurys/<int:jury_id>/modifier", methods=["GET", "POST"])
@requires(Ability.MANAGE_JURY)
def edit_jury(jury_id: int):
    return _edit(_jury(jury_id))


def _sorted_candidates(jury: JurySession) -> list[JuryCandidate]:
    return sorted(jury.candidates, key=lambda c: (c.enrolment.apprentice.last_name, c.enrolment.apprentice.first_name))


def _capitalised(jury: JurySession) -> dict[int, set[int]]:
    """Blocks each candidate already held before the session (shown as capitalised, not judged again)."""
    held = capitalised_by_learner([c.enrolment.apprentice_id for c in jury.candidates], jury.cohort.programme_id,
                                  before=jury.date)  # fmt: skip
    return {c.id: held.get(c.enrolment.apprentice_id, set()) for c in jury.candidates}


@bp.route("/jurys/<int:jury_id>", methods=["GET", "POST"])
@requires(Ability.MANAGE_JURY)
def jury(jury_id: int):
    jury = _jury(jury_id)
    blocks = jury.cohort.programme.skill_blocks
    capitalised = _capitalised(jury)
    closed = results_closed_reason(jury, today_paris())
    errors: dict[int, str] = {}
    status = 200
    if request.method == "POST":
        if not posted():
            abort(400)
        if closed:
            flash(closed, "error")
            status = 422
        else:
            errors = _save_results(jury, blocks, capitalised)
            if not errors and commit_or_report():
                flash("Résultats enregistrés.", "success")
                return redirect(url_for("assessment.jury", jury_id=jury.id))
            db.session.rollback()
            jury = _jury(jury_id)
            flash("Certaines lignes contiennent une erreur : rien n'a été enregistré.", "error")
    rates = success_rates("cohort", jury_id=jury.id)
    return render_template(
        "assessment/jury.html",
        jury=jury,
        blocks=blocks,
        candidates=_sorted_candidates(jury),
        capitalised=capitalised,
        verdicts_by_candidate={c.id: {r.skill_block_id: r.acquired for r in c.block_results} for c in jury.candidates},
        errors=errors,
        form_data=request.form if errors else None,
        rate=rates[0] if rates else None,
        closed=closed,
    ), (422 if errors else status)


def _save_results(jury: JurySession, blocks, capitalised) -> dict[int, str]:
    errors = {}
    for candidate in jury.candidates:
        absent = request.form.get(f"absent-{candidate.id}") == "1"
        verdicts = {}
        for block in blocks:
            value = request.form.get(f"block-{candidate.id}-{block.id}", "")
            if value in ("1", "0"):
                verdicts[block.id] = value == "1"
        if not absent and not verdicts:
            continue  # nothing entered for this candidate yet
        try:
            record_jury_results(candidate, verdicts, absent=absent, today=today_paris())
        except AssessmentError as error:
            errors[candidate.id] = str(error)
    return errors


@bp.route("/jurys/<int:jury_id>/candidats", methods=["POST"])
@requires(Ability.MANAGE_JURY)
def add_jury_candidates(jury_id: int):
    jury = _jury(jury_id)
    if posted():
        if jury.status == JuryStatus.PUBLISHED:
            flash("Les résultats sont publiés : aucun·e candidat·e ne peut être ajouté·e.", "error")
        else:
            added = add_candidates(jury)
            if commit_or_report():
                flash(f"{added} candidat·e(s) ajouté·e(s).", "success")
    return redirect(url_for("assessment.jury", jury_id=jury.id))


@bp.route("/jurys/<int:jury_id>/publier", methods=["POST"])
@requires(Ability.MANAGE_JURY)
def publish(jury_id: int):
    jury = _jury(jury_id)
    if posted():
        try:
            awards = publish_jury(jury, current_user)
        except AssessmentError as error:
            flash(str(error), "error")
        else:
            if commit_or_report():
                flash(f"Résultats publiés ; {len(awards)} certificat(s) délivré(s).", "success")
    return redirect(url_for("assessment.jury", jury_id=jury.id))


@bp.route("/jurys/<int:jury_id>/convocations.pdf")
@bp.route("/jurys/<int:jury_id>/convocations/<int:candidate_id>.pdf")
@requires(Ability.MANAGE_JURY)
def convocations(jury_id: int, candidate_id: int | None = None):
    jury = _jury(jury_id)
    candidates = _sorted_candidates(jury)
    if candidate_id is not None:
        candidates = [c for c in candidates if c.id == candidate_id] or abort(404)
    if not candidates:
        flash("Aucun·e candidat·e à convoquer.", "error")
        return redirect(url_for("assessment.jury", jury_id=jury.id))
    data = render_convocations(candidates, Identity.from_organisation(current_organisation()))
    if candidate_id is not None:
        filename = convocation_filename(candidates[0])
    else:
        filename = secure_filename(f"convocations-{jury.cohort.name}-{jury.date:%Y-%m-%d}.pdf").lower()
    return attachment(data, filename, "application/pdf")


def _zip(awards: list[Award], name: str):
    if not awards:
        flash("Aucun certificat à générer : les résultats ne sont pas encore publiés.", "error")
        return None
    return certificates_zip_response(awards, secure_filename(f"certificats-{name}.zip").lower())


@bp.route("/jurys/<int:jury_id>/certificats.zip")
@requires(Ability.MANAGE_JURY)
def jury_certificates(jury_id: int):
    jury = _jury(jury_id)
    awards = db.session.scalars(
        sa.select(Award)
        .join(JuryCandidate, Award.jury_candidate_id == JuryCandidate.id)
        .where(JuryCandidate.jury_session_id == jury.id, Award.revoked_at.is_(None))
        .options(*award_options())
        .order_by(Award.id)
    ).all()
    return _zip(awards, f"{jury.cohort.name}-{jury.date:%Y-%m-%d}") or redirect(
        url_for("assessment.jury", jury_id=jury.id)
    )


@bp.route("/promotions/<int:cohort_id>/certificats.zip")
@requires(Ability.MANAGE_JURY)
def cohort_certificates(cohort_id: int):
    cohort = db.session.get(Cohort, cohort_id) or abort(404)
    awards = db.session.scalars(
        sa.select(Award)
        .join(JuryCandidate, Award.jury_candidate_id == JuryCandidate.id)
        .join(JurySession, JuryCandidate.jury_session_id == JurySession.id)
        .where(JurySession.cohort_id == cohort.id, Award.revoked_at.is_(None))
        .options(*award_options())
        .order_by(Award.id)
    ).all()
    return _zip(awards, cohort.name) or redirect(url_for("assessment.juries"))


@bp.route("/jurys/<int:jury_id>/candidats/<int:candidate_id>/corriger", methods=["GET", "POST"])
@requires(Ability.MANAGE_JURY)
def correct(jury_id: int, candidate_id: int):
    jury = _jury(jury_id)
    candidate = next((c for c in jury.candidates if c.id == candidate_id), None) or abort(404)
    if jury.status != JuryStatus.PUBLISHED:
        return redirect(url_for("assessment.jury", jury_id=jury.id))
    blocks = jury.cohort.programme.skill_blocks
    capitalised = _capitalised(jury)[candidate.id]
    form = CorrectionForm()
    verdicts = {r.skill_block_id: r.acquired for r in candidate.block_results}
    absent = candidate.decision == Decision.ABSENT
    block_error = None
    if request.method == "POST":
        absent = request.form.get("absent") == "1"
        verdicts = {
            b.id: request.form[f"block-{b.id}"] == "1"
            for b in blocks
            if request.form.get(f"block-{b.id}") in ("0", "1")
        }
        if form.validate_on_submit():
            try:
                issued, revoked = correct_jury_results(
                    candidate, verdicts, absent=absent, actor=current_user, reason=form.reason.data
                )
            except AssessmentError as error:
                block_error = str(error)
            else:
                if commit_or_report():
                    flash(f"Résultat corrigé : {len(issued)} certificat(s) délivré(s), {len(revoked)} révoqué(s).",
                          "success")  # fmt: skip
                    return redirect(url_for("assessment.jury", jury_id=jury.id))
    return render_template(
        "assessment/correct.html", jury=jury, candidate=candidate, blocks=blocks, capitalised=capitalised,
        verdicts=verdicts, absent=absent, form=form, block_error=block_error,
    ), (422 if request.method == "POST" else 200)  # fmt: skip
