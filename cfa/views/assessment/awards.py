"""Awards: micro-certifications given by assessors, every certificate's page, revocation."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.forms.assessment import AwardForm, RevokeForm
from cfa.models import Award, AwardKind, MicroCertification, User
from cfa.renderers.spreadsheets import Field
from cfa.services.assessment import AssessmentError
from cfa.services.assessment_awards import (
    award_micro_certification,
    awards_listing,
    certified,
    learner_choices,
    load_award,
    micro_certification_choices,
    revoke_award,
)
from cfa.services.permissions import Ability, can_revoke_award, can_view_award
from cfa.views.access import requires
from cfa.views.assessment import bp
from cfa.views.assessment.documents import badge_response, certificate_response, verify_url
from cfa.views.crud import commit_or_report, paginate
from cfa.views.downloads import export_query
from cfa.views.forms import form_page

EXPORT_FIELDS = [
    Field("Nom", lambda a: a.learner.last_name),
    Field("Prénom", lambda a: a.learner.first_name),
    Field("Type", lambda a: a.kind),
    Field("Certification", lambda a: certified(a).title),
    Field("Référence", lambda a: certified(a).reference),
    Field("Délivrée le", lambda a: a.awarded_on),
    Field("Évaluateur·rice", lambda a: a.assessor.full_name if a.assessor else None),
    Field("Code de vérification", lambda a: a.verification_code),
    Field("Statut", lambda a: "Révoquée" if a.is_revoked else "Valide"),
    Field("Révoquée le", lambda a: a.revoked_at),
    Field("Motif de la révocation", lambda a: a.revocation_reason),
]


@bp.route("/certifications")
@requires(Ability.AWARD_MICRO_CERTIFICATIONS)
def awards():
    q = request.args.get("q", "").strip()
    kind = request.args.get("type")
    page = paginate(awards_listing(current_user, q, kind))
    return render_template("assessment/awards.html", page=page, q=q, kind=kind, kinds=AwardKind, certified=certified)


@bp.route("/certifications.<fmt>")
@requires(Ability.AWARD_MICRO_CERTIFICATIONS)
def export_awards(fmt: str):
    stmt = awards_listing(current_user, request.args.get("q", "").strip(), request.args.get("type"))
    return export_query(fmt, "Certifications délivrées", EXPORT_FIELDS, stmt)


def _award_form() -> AwardForm:
    form = AwardForm()
    form.learner_id.choices = learner_choices()
    form.micro_certification_id.choices = micro_certification_choices()
    if request.method == "GET":
        form.awarded_on.data = today_paris()
        form.learner_id.data = request.args.get("personne", type=int)
    return form


def _give(form: AwardForm) -> Award | None:
    learner = db.session.get(User, form.learner_id.data)
    micro = db.session.get(MicroCertification, form.micro_certification_id.data)
    try:
        return award_micro_certification(
            learner,
            micro,
            awarded_on=form.awarded_on.data,
            assessor=current_user,
            evidence=form.evidence.data,
            today=today_paris(),
        )
    except AssessmentError as error:
        getattr(form, error.field or "learner_id").errors.append(str(error))
        return None


# Awarding outright is the jury's power (the administration); a trainer assesses the requests they are named on.
@bp.route("/certifications/nouvelle", methods=["GET", "POST"])
@requires(Ability.MANAGE_JURY)
def new_award():
    form = _award_form()
    if form.validate_on_submit() and (award := _give(form)) and commit_or_report():
        flash("Micro-certification délivrée.", "success")
        return redirect(url_for("assessment.award", award_id=award.id))
    back = url_for("assessment.awards")
    return form_page(
        form, "Délivrer une micro-certification", "Vous en êtes l'évaluateur·rice.", back, submit_label="Délivrer"
    )


def _award(award_id: int) -> Award:
    """The award, if the person may read it; others get the same 404 as for an award that does not exist."""
    award = load_award(award_id)
    if award is None or not can_view_award(current_user, award):
        abort(404)
    return award


def _revoke(form: RevokeForm, award: Award) -> bool:
    try:
        revoke_award(award, current_user, form.reason.data)
    except AssessmentError as error:
        form.reason.errors.append(str(error))
        return False
    return commit_or_report()


@bp.route("/certifications/<int:award_id>", methods=["GET", "POST"])
@requires(Ability.AWARD_MICRO_CERTIFICATIONS)
def award(award_id: int):
    award = _award(award_id)
    form = RevokeForm()
    if request.method == "POST":
        if not can_revoke_award(current_user):
            abort(403)
        if form.validate_on_submit() and _revoke(form, award):
            flash("Certification révoquée : la page de vérification l'indique désormais.", "success")
            return redirect(url_for("assessment.award", award_id=award.id))
    return render_template(
        "assessment/award.html",
        award=award,
        what=certified(award),
        form=form,
        verify_url=verify_url(award),
        can_revoke=can_revoke_award(current_user),
    ), (422 if request.method == "POST" else 200)


@bp.route("/certifications/<int:award_id>/certificat.pdf")
@requires(Ability.AWARD_MICRO_CERTIFICATIONS)
def award_certificate(award_id: int):
    return certificate_response(_award(award_id))


@bp.route("/certifications/<int:award_id>/badge.jwt")
@requires(Ability.AWARD_MICRO_CERTIFICATIONS)
def award_badge(award_id: int):
    award = _award(award_id)
    response = badge_response(award)
    if response is None:
        flash("Le CFA n'a pas encore de clé de signature : lancez « flask create-signing-key ».", "error")
        return redirect(url_for("assessment.award", award_id=award.id))
    return response
