"""The tutor's calendar: when each of their apprentices is at the centre."""

from datetime import timedelta

from flask import render_template
from flask_login import current_user

from cfa.formatting import today_paris
from cfa.services import calendar_queries
from cfa.services.enrolments import followed_enrolments
from cfa.views.employer import bp
from cfa.views.feeds import my_feed_url


@bp.route("/calendrier")
def calendar():
    today = today_paris()
    enrolments = followed_enrolments(current_user, include_past=False)
    weeks = calendar_queries.centre_weeks_for(enrolments, start=today - timedelta(days=today.weekday()))
    return render_template(
        "employer/calendar.html", enrolments=enrolments, weeks=weeks, today=today, feed_url=my_feed_url()
    )
