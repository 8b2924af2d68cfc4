"""The apprentice's own schedule: the next days at the centre and the whole planning d'alternance."""

from datetime import timedelta

from flask import render_template
from flask_login import current_user

from cfa.formatting import today_paris
from cfa.services import calendar_queries, short_courses
from cfa.services.enrolments import current_enrolment
from cfa.views.feeds import my_feed_url
from cfa.views.me import bp


@bp.route("/planning")
def schedule():
    today = today_paris()
    enrolment = current_enrolment(current_user, on=today)
    if enrolment is None or enrolment.cohort.programme.is_short_course:
        # No planning d'alternance: a trainee's next half-days of short courses instead.
        return render_template(
            "me/schedule.html", enrolment=None, courses=short_courses.upcoming_for(current_user, today)
        )
    cohort = calendar_queries.load_cohort(enrolment.cohort_id)
    calendar = calendar_queries.cohort_calendar(cohort)
    upcoming = [
        s for row in calendar.rows for s in row.sessions if s.date >= today and enrolment.is_enrolled_on(s.date)
    ][:10]
    return render_template(
        "me/schedule.html",
        feed_url=my_feed_url(),
        enrolment=enrolment,
        cohort=cohort,
        calendar=calendar,
        upcoming=upcoming,
        today=today,
        week=timedelta(days=7),
    )
