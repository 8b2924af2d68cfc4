"""Jury sessions (sessions de validation): planning, convocations, results per CCP, publication, success rates."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.utils import secure_filename

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.forms import choices
from cfa.forms.assessment import CorrectionForm, JurySessionForm
from cfa.models import Award, Cohort, Decision, JurySession, JuryStatus
from cfa.renderers.pdf.convocation import convocation_filename, render_convocations
from cfa.services.assessment import AssessmentError
from cfa.services.assessment_awards import cohort_awards, jury_awards
from cfa.services.assessment_rates import GROUPINGS, success_rates, total
from cfa.services.juries import (
    add_candidates,
    capitalised_by_candidate,
    edit_refused_reason,
    jury_sessions,
    load_jury,
    save_jury_session,
    sorted_candidates,
)
from cfa.services.jury_results import (
    correct_jury_results,
    parse_jury_grid,
    parse_verdicts,
    publish_jury,
    record_jury_grid,
    results_closed_reason,
)
from cfa.services.permissions import Ability, can
from cfa.views.access import requires
from cfa.views.assessment import bp
from cfa.views.assessment.documents import certificates_zip_response
from cfa.views.crud import commit_or_report
from cfa.views.downloads import attachment, cfa_identity
from cfa.views.forms import form_page, posted


@bp.route("/jurys")
@requires(Ability.MANAGE_JURY, Ability.MANAGE_QUALITY)
def juries():
    group_by = request.args.get("par", "cohort")
    if group_by not in GROUPINGS:
        group_by = "cohort"
    year = request.args.get("annee", type=int)
    rows = success_rates(group_by, year=year)
    return render_template(
        "assessment/juries.html",
        sessions=jury_sessions(),
        rows=rows,
        overall=total(rows),
        group_by=group_by,
        groupings=GROUPINGS,
        year=year,
    )


def _jury(jury_id: int) -> JurySession:
    return load_jury(jury_id) or abort(404)


def _save_session(form: JurySessionForm, jury: JurySession | None) -> JurySession | None:
    values = {
        "cohort_id": form.cohort_id.data,
        "date": form.date.data,
        "start_time": form.start_time.data or None,
        "place": form.place.data,
        "members": form.members.data,
    }
    try:
        return save_jury_session(jury, values, current_user)
    except AssessmentError as error:
        getattr(form, error.field or "cohort_id").errors.append(str(error))
        return None


def _edit(jury: JurySession | None):
    if jury is not None and (refused := edit_refused_reason(jury)):
        flash(refused, "error")
        return redirect(url_for("assessment.jury", jury_id=jury.id))
    form = JurySessionForm(obj=jury)
    form.cohort_id.choices = choices.cohorts()
    if jury is None and request.method == "GET" and (cohort_id := request.args.get("cohort", type=int)):
        form.cohort_id.data = cohort_id
    if form.validate_on_submit() and (saved := _save_session(form, jury)) and commit_or_report():
        flash("Session de validation enregistrée.", "success")
        return redirect(url_for("assessment.jury", jury_id=saved.id))
    if jury is None:
        return form_page(
            form,
            "Nouvelle session de validation",
            "Les apprenti·es de la promotion sont convoqué·es à la création.",
            url_for("assessment.juries"),
        )
    return form_page(
        form,
        "Modifier la session de validation",
        "Changer la date, l'heure ou le lieu émet de nouvelles convocations, datées de ce jour.",
        url_for("assessment.jury", jury_id=jury.id),
    )


@bp.route("/jurys/nouveau", methods=["GET", "POST"])
@requires(Ability.MANAGE_JURY)
def new_jury():
    return _edit(None)


@bp.route("/jurys/<int:jury_id>/modifier", methods=["GET", "POST"])
@requires(Ability.MANAGE_JURY)
def edit_jury(jury_id: int):
    return _edit(_jury(jury_id))


def _save_results(jury: JurySession) -> dict[int, str] | None:
    """The posted results saved and committed; the errors per candidate when something was refused, else None."""
    if closed := results_closed_reason(jury, today_paris()):
        flash(closed, "error")
        return {}
    errors = record_jury_grid(jury, parse_jury_grid(request.form, jury), today_paris())
    if not errors and commit_or_report():
        flash("Résultats enregistrés.", "success")
        return None
    db.session.rollback()
    flash("Certaines lignes contiennent une erreur : rien n'a été enregistré.", "error")
    return errors


@bp.route("/jurys/<int:jury_id>", methods=["GET", "POST"])
@requires(Ability.MANAGE_JURY, Ability.MANAGE_QUALITY)
def jury(jury_id: int):
    """The quality team reads a session's results; only the jury's managers enter them."""
    jury = _jury(jury_id)
    errors: dict[int, str] = {}
    if request.method == "POST":
        if not can(current_user, Ability.MANAGE_JURY):
            abort(403)
        if not posted():
            abort(400)
        errors = _save_results(jury)
        if errors is None:
            return redirect(url_for("assessment.jury", jury_id=jury.id))
        jury = _jury(jury_id)
    return _jury_page(jury, errors, posted_back=request.method == "POST")


def _jury_page(jury: JurySession, errors: dict[int, str], posted_back: bool):
    rates = success_rates("cohort", jury_id=jury.id)
    return render_template(
        "assessment/jury.html",
        jury=jury,
        blocks=jury.cohort.programme.skill_blocks,
        candidates=sorted_candidates(jury),
        capitalised=capitalised_by_candidate(jury),
        verdicts_by_candidate={c.id: {r.skill_block_id: r.acquired for r in c.block_results} for c in jury.candidates},
        errors=errors,
        form_data=request.form if errors else None,
        rate=rates[0] if rates else None,
        closed=results_closed_reason(jury, today_paris()),
    ), (422 if posted_back else 200)


@bp.route("/jurys/<int:jury_id>/candidats", methods=["POST"])
@requires(Ability.MANAGE_JURY)
def add_jury_candidates(jury_id: int):
    jury = _jury(jury_id)
    if posted():
        try:
            added = add_candidates(jury)
        except AssessmentError as error:
            flash(str(error), "error")
        else:
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
    candidates = sorted_candidates(jury)
    if candidate_id is not None:
        candidates = [c for c in candidates if c.id == candidate_id] or abort(404)
    if not candidates:
        flash("Aucun·e candidat·e à convoquer.", "error")
        return redirect(url_for("assessment.jury", jury_id=jury.id))
    data = render_convocations(candidates, cfa_identity())
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
    return _zip(jury_awards(jury.id), f"{jury.cohort.name}-{jury.date:%Y-%m-%d}") or redirect(
        url_for("assessment.jury", jury_id=jury.id)
    )


@bp.route("/promotions/<int:cohort_id>/certificats.zip")
@requires(Ability.MANAGE_JURY)
def cohort_award_certificates(cohort_id: int):
    """The CCP and title certificates of a cohort's juries (not the attendance certificats de réalisation)."""
    cohort = db.session.get(Cohort, cohort_id) or abort(404)
    return _zip(cohort_awards(cohort.id), cohort.name) or redirect(url_for("assessment.juries"))


def _correct(form: CorrectionForm, candidate, verdicts: dict[int, bool], absent: bool) -> str | None:
    """The correction saved and committed; the refusal's message otherwise."""
    try:
        issued, revoked = correct_jury_results(
            candidate, verdicts, absent=absent, actor=current_user, reason=form.reason.data
        )
    except AssessmentError as error:
        return str(error)
    if commit_or_report():
        flash(f"Résultat corrigé : {len(issued)} certificat(s) délivré(s), {len(revoked)} révoqué(s).", "success")
        return None
    return ""


@bp.route("/jurys/<int:jury_id>/candidats/<int:candidate_id>/corriger", methods=["GET", "POST"])
@requires(Ability.MANAGE_JURY)
def correct(jury_id: int, candidate_id: int):
    jury = _jury(jury_id)
    candidate = next((c for c in jury.candidates if c.id == candidate_id), None) or abort(404)
    if jury.status != JuryStatus.PUBLISHED:
        return redirect(url_for("assessment.jury", jury_id=jury.id))
    form = CorrectionForm()
    verdicts = {r.skill_block_id: r.acquired for r in candidate.block_results}
    absent = candidate.decision == Decision.ABSENT
    block_error = None
    if request.method == "POST":
        absent = request.form.get("absent") == "1"
        verdicts = parse_verdicts(request.form, jury.cohort.programme.skill_blocks, "block-")
        if form.validate_on_submit() and (block_error := _correct(form, candidate, verdicts, absent)) is None:
            return redirect(url_for("assessment.jury", jury_id=jury.id))
    return render_template(
        "assessment/correct.html",
        jury=jury,
        candidate=candidate,
        blocks=jury.cohort.programme.skill_blocks,
        capitalised=capitalised_by_candidate(jury)[candidate.id],
        verdicts=verdicts,
        absent=absent,
        form=form,
        block_error=block_error,
    ), (422 if request.method == "POST" else 200)
