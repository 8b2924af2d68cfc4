"""A trainer's agenda: all their sessions, across cohorts and centres, week by week."""

from datetime import UTC, date, datetime, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.services import calendar_queries
from cfa.services.calendar_generation import monday_of
from cfa.services.home_trainer import mark_changes_read
from cfa.services.permissions import Ability
from cfa.views.access import requires
from cfa.views.feeds import my_feed_url
from cfa.views.planning import bp, parse_day

WEEKS_SHOWN = 4


@bp.route("/mon-agenda")
@requires(Ability.TAKE_ATTENDANCE)
def trainer_agenda():
    start = monday_of(parse_day(request.args.get("du")) or today_paris())
    end = start + timedelta(weeks=WEEKS_SHOWN) - timedelta(days=1)
    sessions = calendar_queries.trainer_sessions(current_user.id, start, end)
    days: dict[date, list] = {}
    for session in sessions:
        days.setdefault(session.date, []).append(session)
    return render_template(
        "planning/agenda.html",
        feed_url=my_feed_url(),
        days=days,
        start=start,
        end=end,
        previous=start - timedelta(weeks=WEEKS_SHOWN),
        next=start + timedelta(weeks=WEEKS_SHOWN),
        minutes=sum(s.minutes for s in sessions if not s.is_cancelled),
        today=today_paris(),
    )


@bp.route("/mon-agenda/changements-lus", methods=["POST"])
@requires(Ability.TAKE_ATTENDANCE)
def changes_read():
    """ "Marquer comme lus" on the trainer's home: read up to the newest change the page showed."""
    try:
        up_to = datetime.fromisoformat(request.form.get("jusqu_a", ""))
    except ValueError:
        abort(400, "Date des changements illisible : rechargez la page d'accueil.")
    if up_to.tzinfo is None:
        up_to = up_to.replace(tzinfo=UTC)
    mark_changes_read(current_user, up_to)
    db.session.commit()
    flash("Changements de planning marqués comme lus.", "success")
    return redirect(url_for("main.home", _anchor="changements"))
