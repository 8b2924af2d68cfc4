"""The apprentice's results: ECF per skill block, capitalised CCPs, the published jury decision."""

import sqlalchemy as sa
from flask import render_template
from flask_login import current_user
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.models import Cohort, Enrolment
from cfa.services.block_progress import enrolment_results
from cfa.views.me import bp


@bp.route("/resultats")
def results():
    enrolments = db.session.scalars(
        sa.select(Enrolment)
        .where(Enrolment.apprentice_id == current_user.id)
        .options(selectinload(Enrolment.cohort).selectinload(Cohort.programme))
        .order_by(Enrolment.contract_start.desc())
    ).all()
    return render_template("me/results.html", results=enrolment_results(enrolments))
