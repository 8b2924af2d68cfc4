"""The controls auditors run on the sign-in sheets, for the CFA's direction and its quality team."""

from flask import render_template

from cfa.services.attendance_controls import BATCH_SIZE, run_controls
from cfa.services.permissions import Ability
from cfa.views.access import requires
from cfa.views.attendance import bp


@bp.route("/controles")
@requires(Ability.MANAGE_QUALITY)
def controls():
    return render_template("attendance/controls.html", controls=run_controls(), batch_size=BATCH_SIZE)
