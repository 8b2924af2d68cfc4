"""A trainee's short courses: their sessions de formation, the half-days (dates, times, place) and, per run, the
documents the CFA hands out."""

from flask import abort, render_template
from flask_login import current_user

from cfa.formatting import today_paris
from cfa.services import short_courses
from cfa.services.attendance_rates import Rate, rates_by_enrolment
from cfa.views.me import bp
from cfa.views.planning import known_id


@bp.route("/formations")
def courses():
    enrolments = short_courses.trainee_enrolments(current_user)
    sessions = short_courses.run_sessions([e.cohort_id for e in enrolments])
    return render_template(
        "me/courses.html",
        enrolments=enrolments,
        sessions=sessions,
        place_of=short_courses.place_of,
        today=today_paris(),
    )


@bp.route("/formations/<int:cohort_id>")
def course(cohort_id: int):
    # Only a run the person is registered in: another learner's run answers as an unknown one.
    enrolment = short_courses.trainee_enrolment_in(current_user, known_id(cohort_id)) or abort(404)
    return render_template(
        "me/course.html",
        enrolment=enrolment,
        run=enrolment.cohort,
        sessions=short_courses.run_sessions([enrolment.cohort_id]).get(enrolment.cohort_id, []),
        place=short_courses.place_of(enrolment.cohort),
        rate=rates_by_enrolment([enrolment.id]).get(enrolment.id) or Rate(),
        today=today_paris(),
    )
