"""The socle completion rate of new mediators: the CFA's own published figure, and who is still to convene."""

from datetime import date

from flask import render_template

from cfa.formatting import today_paris
from cfa.services.permissions import Ability
from cfa.services.socle import year_completion
from cfa.views.access import requires
from cfa.views.courses import bp
from cfa.views.params import date_arg, year_arg


@bp.route("/socle")
@requires(Ability.MANAGE_QUALITY)
def socle():
    today = today_paris()
    year = year_arg("annee", today.year)
    # The published figure is at 31 December; for the year under way, as of today.
    as_of = date_arg("au", min(date(year, 12, 31), max(today, date(year, 1, 1))))
    figure = year_completion(year, as_of)
    return render_template("courses/socle.html", figure=figure, year=year, years=range(today.year, today.year - 6, -1))
