"""Loading what a short-course page is about: 404 for what does not exist or is not a short course."""

from flask import abort
from flask_login import current_user

from cfa.extensions import db
from cfa.models import Agreement, Cohort, Enrolment
from cfa.services.calendar_queries import load_cohort
from cfa.services.course_documents import enrolment_with_run
from cfa.services.permissions import can_get_course_document
from cfa.views.planning import known_id


def run_or_404(cohort_id: int) -> Cohort:
    """A session de formation: a cohort of a short course (an apprenticeship cohort has its own pages)."""
    cohort = load_cohort(known_id(cohort_id))
    if cohort is None or not cohort.programme.is_short_course:
        abort(404)
    return cohort


def agreement_or_404(cohort_id: int, agreement_id: int) -> Agreement:
    agreement = db.session.get(Agreement, known_id(agreement_id))
    if agreement is None or agreement.cohort_id != cohort_id or not agreement.cohort.programme.is_short_course:
        abort(404)
    return agreement


def trainee_or_404(cohort_id: int, enrolment_id: int) -> Enrolment:
    """A trainee's place in a session, if the user may have their documents (the CFA, themselves, their
    employer's contact); otherwise 403, and 404 for what is not a trainee of that session."""
    enrolment = enrolment_with_run(known_id(enrolment_id))
    if enrolment is None or enrolment.cohort_id != cohort_id or not enrolment.cohort.programme.is_short_course:
        abort(404)
    if not can_get_course_document(current_user, enrolment):
        abort(403)
    return enrolment
