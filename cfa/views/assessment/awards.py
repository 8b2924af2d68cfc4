"""Awards: micro-certifications given by assessors, every certificate's page, revocation."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import aliased

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.forms.assessment import AwardForm, RevokeForm
from cfa.models import Award, AwardKind, MicroCertification, User, UserRole
from cfa.services.assessment import AssessmentError
from cfa.services.assessment_awards import (
    LEARNER_ROLES,
    award_micro_certification,
    award_options,
    certified,
    revoke_award,
)
from cfa.services.permissions import Ability, can
from cfa.views.access import requires
from cfa.views.assessment import bp
from cfa.views.assessment.documents import badge_response, certificate_response, verify_url
from cfa.views.crud import commit_or_report, paginate, search_clause
from cfa.views.forms import form_page

Learner = aliased(User)


@bp.route("/certifications")
@requires(Ability.AWARD_MICRO_CERTIFICATIONS)
def awards():
    stmt = (
        sa.select(Award)
        .join(Learner, Award.learner_id == Learner.id)
        .options(*award_options())
        .order_by(Award.awarded_on.desc(), Award.id.desc())
    )
    q = request.args.get("q", "").strip()
    if q:
        stmt = stmt.where(search_clause(q, [Learner.last_name, Learner.first_name, Award.verification_code]))
    kind = request.args.get("type")
    if kind in AwardKind._value2member_map_:
        stmt = stmt.where(Award.kind == kind)
    return render_template(
        "assessment/awards.html", page=paginate(stmt), q=q, kind=kind, kinds=AwardKind, certified=certified
    )


def _learner_choices() -> list[tuple[int, str]]:
    stmt = (
        sa.select(User.id, User.last_name, User.first_name)
        .join(UserRole)
        .where(UserRole.role.in_(LEARNER_ROLES), User.active)
        .distinct()
        .order_by(User.last_name, User.first_name)
    )
    return [(r.id, f"{r.last_name.upper()} {r.first_name}") for r in db.session.execute(stmt)]


@bp.route("/certifications/nouvelle", methods=["GET", "POST"])
@requires(Ability.AWARD_MICRO_CERTIFICATIONS)
def new_award():
    form = AwardForm()
    form.learner_id.choices = _learner_choices()
    form.micro_certification_id.choices = [
        (m.id, f"{m.code} – {m.title}")
        for m in db.session.scalars(
            sa.select(MicroCertification).where(MicroCertification.active).order_by(MicroCertification.code)
        )
    ]
    if request.method == "GET":
        form.awarded_on.data = today_paris()
        form.learner_id.data = request.args.get("personne", type=int)
    if form.validate_on_submit():
        learner = db.session.get(User, form.learner_id.data)
        micro = db.session.get(MicroCertification, form.micro_certification_id.data)
        try:
            award = award_micro_certification(
                learner, micro, awarded_on=form.awarded_on.data, assessor=current_user, evidence=form.evidence.data,
                today=today_paris(),
            )  # fmt: skip
        except AssessmentError as error:
            target = form.awarded_on if "date" in str(error) else form.learner_id
            target.errors.append(str(error))
        else:
            if commit_or_report():
                flash("Micro-certification délivrée.", "success")
                return redirect(url_for("assessment.award", award_id=award.id))
    return form_page(form, "Délivrer une micro-certification", "Vous en êtes l'évaluateur·rice.",
                     url_for("assessment.awards"), submit_label="Délivrer")  # fmt: skip


def _award(award_id: int) -> Award:
    return db.session.scalar(sa.select(Award).where(Award.id == award_id).options(*award_options())) or abort(404)


@bp.route("/certifications/<int:award_id>", methods=["GET", "POST"])
@requires(Ability.AWARD_MICRO_CERTIFICATIONS)
def award(award_id: int):
    award = _award(award_id)
    form = RevokeForm()
    status = 200
    if request.method == "POST":
        if not can(current_user, Ability.MANAGE_JURY):
            abort(403)
        if form.validate_on_submit():
            try:
                revoke_award(award, current_user, form.reason.data)
            except AssessmentError as error:
                form.reason.errors.append(str(error))
            else:
                if commit_or_report():
                    flash("Certification révoquée : la page de vérification l'indique désormais.", "success")
                    return redirect(url_for("assessment.award", award_id=award.id))
        status = 422
    return render_template(
        "assessment/award.html", award=award, what=certified(award), form=form, verify_url=verify_url(award),
        can_revoke=can(current_user, Ability.MANAGE_JURY),
    ), status  # fmt: skip


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
