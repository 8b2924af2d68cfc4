"""The home page: each role lands on what it uses most."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from cfa.navigation import nav_for
from cfa.services.dashboard import admin_summary
from cfa.services.permissions import Ability, can
from cfa.views.access import signed_in

bp = Blueprint("main", __name__)


@bp.route("/")
@signed_in
def home():
    if can(current_user, Ability.MANAGE_SETUP):
        return render_template("main/admin_home.html", summary=admin_summary())
    entries = [item for _group, items in nav_for(current_user) for item in items]
    if len(entries) == 1:
        return redirect(url_for(entries[0].endpoint))
    return render_template("main/home.html", entries=entries)
