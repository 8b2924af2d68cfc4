"""The home page: each role lands on what it does first (the first landing that applies, in this order)."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from cfa.models import Role
from cfa.navigation import nav_for
from cfa.services.dashboard import admin_summary
from cfa.services.permissions import Ability, can
from cfa.views.access import public, signed_in

bp = Blueprint("main", __name__)

# A trainer starts with the day's sheets, the quality officer with the indicators, a tutor with their apprentices,
# an apprentice with their next days at the centre, a short-course trainee with their sessions.
LANDINGS = [
    (Ability.TAKE_ATTENDANCE, None, "attendance.today"),
    (Ability.MANAGE_QUALITY, None, "quality.dashboard"),
    (Ability.FOLLOW_APPRENTICES, None, "followup.my_apprentices"),
    (Ability.VIEW_OWN_TRAINING, Role.APPRENTICE, "me.schedule"),
    (Ability.VIEW_OWN_TRAINING, Role.LEARNER, "me.courses"),
]


@bp.route("/")
@signed_in
def home():
    if can(current_user, Ability.MANAGE_SETUP):
        return render_template("main/admin_home.html", summary=admin_summary())
    for ability, role, endpoint in LANDINGS:
        if can(current_user, ability) and (role is None or current_user.has_role(role)):
            return redirect(url_for(endpoint))
    entries = [item for _group, items in nav_for(current_user) for item in items]
    return render_template("main/home.html", entries=entries)


@bp.route("/sante")
@public
def health():
    """A liveness check for a load balancer, which reads nothing: the benchmark's baseline, since it still goes
    through every request hook and header the pages go through."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
