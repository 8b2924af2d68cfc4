"""The tutor's view of their apprentices' absences and lateness, and their attendance rates."""

from datetime import timedelta

from flask import render_template
from flask_login import current_user

from cfa.formatting import today_paris
from cfa.services import absences, contracts, justifications
from cfa.services.attendance import describe, state_of
from cfa.services.attendance_rates import rates_by_enrolment
from cfa.services.enrolments import followed_enrolments
from cfa.views.employer import bp

SHOWN_DAYS = 120


@bp.route("/absences", endpoint="absences")
def absences_page():
    enrolments = followed_enrolments(current_user, include_past=False)
    ids = [e.id for e in enrolments]
    # A former apprentice (contract broken): what happened up to the rupture, nothing after.
    former = contracts.former_contracts(current_user, set(ids))
    marks = [
        m
        for m in absences.notable_marks(ids + list(former), start=today_paris() - timedelta(days=SHOWN_DAYS))
        if m.enrolment_id not in former or m.session.date <= former[m.enrolment_id].ended_on
    ]
    return render_template(
        "employer/absences.html",
        enrolments=enrolments,
        former=former.values(),
        rates=rates_by_enrolment(ids),
        marks=marks,
        justified=justifications.covering(marks),
        describe=lambda mark: describe(state_of(mark)),
        days=SHOWN_DAYS,
    )
