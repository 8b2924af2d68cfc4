"""The learner's certificates: PDF, signed badge and public verification link of each award."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from cfa.extensions import db
from cfa.models import Award
from cfa.services.assessment_awards import award_options, certified
from cfa.views.assessment.documents import badge_response, certificate_response, verify_url
from cfa.views.me import bp


@bp.route("/certificats")
def certificates():
    awards = db.session.scalars(
        sa.select(Award)
        .where(Award.learner_id == current_user.id)
        .options(*award_options())
        .order_by(Award.revoked_at.is_not(None), Award.awarded_on.desc())
    ).all()
    return render_template("me/certificates.html", awards=awards, certified=certified, verify_url=verify_url)


def _own_valid_award(code: str) -> Award:
    award = db.session.scalar(
        sa.select(Award)
        .where(Award.verification_code == code, Award.learner_id == current_user.id)
        .options(*award_options())
    )
    if award is None or award.is_revoked:
        abort(404)
    return award


@bp.route("/certificats/<code>.pdf")
def certificate(code: str):
    return certificate_response(_own_valid_award(code))


@bp.route("/certificats/<code>.jwt")
def badge(code: str):
    response = badge_response(_own_valid_award(code))
    if response is None:
        flash("Le badge signé n'est pas encore disponible : le CFA doit créer sa clé de signature.", "error")
        return redirect(url_for("me.certificates"))
    return response
