"""Calendars: the cohorts' plannings d'alternance, their weeks and sessions, the trainers' agendas.

Each page lives in a module of this package named for what it shows.
"""

from flask import Blueprint, abort
from flask_login import current_user

from cfa.services import planning
from cfa.services.permissions import can_view_cohort_planning

bp = Blueprint("planning", __name__, url_prefix="/planning")

MODULES = ["calendars", "editing", "agenda"]


def cohort_or_404(cohort_id: int):
    """The cohort, its programme and periods loaded, if the user may see its calendar."""
    cohort = planning.load_cohort(cohort_id)
    if cohort is None:
        abort(404)
    if not can_view_cohort_planning(current_user, cohort.id):
        abort(403)
    return cohort
