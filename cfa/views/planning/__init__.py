"""Calendars: the cohorts' plannings d'alternance, their weeks and sessions, the trainers' agendas.

Each page lives in a module of this package named for what it shows.
"""

from flask import Blueprint, abort
from flask_login import current_user

from cfa.services import planning
from cfa.services.permissions import can_view_cohort_planning

bp = Blueprint("planning", __name__, url_prefix="/planning")

MODULES = ["calendars", "editing", "agenda"]


def cohort_or_404(cohort_id: int, allowed=can_view_cohort_planning):
    """The cohort, its programme and periods loaded, if `allowed(user, cohort_id)` (by default: may see its planning)."""
    cohort = planning.load_cohort(cohort_id)
    if cohort is None:
        abort(404)
    if not allowed(current_user, cohort.id):
        abort(403)
    return cohort
