"""The tutor's view of their apprentices' results: ECF per block and published jury decisions only."""

import sqlalchemy as sa
from flask import abort, render_template
from flask_login import current_user
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.models import Cohort, Enrolment, User
from cfa.services.block_progress import enrolment_results
from cfa.services.permissions import followed_enrolments_clause
from cfa.views.employer import bp


def _followed():
    return (
        sa.select(Enrolment)
        .join(User, Enrolment.apprentice_id == User.id)
        .where(followed_enrolments_clause(current_user))
        .options(selectinload(Enrolment.apprentice), selectinload(Enrolment.cohort).selectinload(Cohort.programme))
    )


@bp.route("/resultats")
def results():
    enrolments = db.session.scalars(_followed().order_by(User.last_name, User.first_name)).all()
    return render_template("employer/results.html", results=enrolment_results(enrolments))


@bp.route("/resultats/<int:enrolment_id>")
def apprentice_results(enrolment_id: int):
    enrolment = db.session.scalar(_followed().where(Enrolment.id == enrolment_id))
    if enrolment is None:
        abort(404)  # not one of this tutor's apprentices: do not even confirm it exists
    (result,) = enrolment_results([enrolment])
    return render_template("employer/apprentice_results.html", r=result)
