"""The apprentice's own schedule: the next days at the centre and the whole planning d'alternance."""

from datetime import timedelta

from flask import render_template
from flask_login import current_user

from cfa.formatting import today_paris
from cfa.services import calendar_queries
from cfa.services.enrolments import current_enrolment
from cfa.views.feeds import my_feed_url
from cfa.views.me import bp


@bp.route("/planning")
def schedule():
    today = today_paris()
    enrolment = current_enrolment(current_user, on=today)
    if enrolment is None or enrolment.cohort.programme.is_short_course:
        # A trainee's short courses have their own page; this one is the planning d'alternance.
        return render_template("me/schedule.html", enrolment=None, short_course=enrolment is not None)
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
