"""The controls auditors run on the sign-in sheets, for the CFA's direction and its quality team."""

from datetime import date, timedelta

from flask import abort, render_template, request

from cfa.formatting import today_paris
from cfa.services.attendance_controls import run_controls
from cfa.services.permissions import Ability
from cfa.views.access import requires
from cfa.views.attendance import bp

DEFAULT_PERIOD = timedelta(days=365)  # an audit reads the last year of sheets unless asked for another period


@bp.route("/controles")
@requires(Ability.MANAGE_QUALITY)
def controls():
    try:
        since = date.fromisoformat(request.args["depuis"]) if request.args.get("depuis") else None
    except ValueError:
        abort(404)
    since = since or today_paris() - DEFAULT_PERIOD
    return render_template("attendance/controls.html", controls=run_controls(since), since=since)
