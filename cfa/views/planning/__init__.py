"""Calendars: the cohorts' plannings d'alternance, their weeks and sessions, the trainers' agendas.

Each page lives in a module of this package named for what it shows.
"""

from datetime import date

from flask import Blueprint, abort
from flask_login import current_user

from cfa.services import calendar_queries
from cfa.services.permissions import can_view_cohort_planning

bp = Blueprint("planning", __name__, url_prefix="/planning")

MODULES = ["calendars", "editing", "agenda", "exports"]

# Calendars are browsed a few years either way; beyond this a date is a typo or a probe (and date arithmetic
# near year 1 or 9999 overflows).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
MAX_ID = 2**31 - 1  # PostgreSQL's integer: a larger id is unknown, not a database error


def parse_day(value: str | None) -> date | None:
    """A date from the query string (AAAA-MM-JJ), None if absent; a French 400 if unreadable or out of range."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        abort(400, "Date illisible : utilisez le format AAAA-MM-JJ.")
    if not (FIRST_DAY <= day <= LAST_DAY):
        abort(400, f"Date hors des limites du calendrier ({FIRST_DAY:%Y} à {LAST_DAY:%Y}).")
    return day


def known_id(value: int) -> int:
    if value > MAX_ID:
        abort(404)
    return value


def cohort_or_404(cohort_id: int, allowed=can_view_cohort_planning):
    """The cohort, its programme and periods loaded, if `allowed(user, cohort_id)` (by default: may see its planning)."""
    cohort = calendar_queries.load_cohort(known_id(cohort_id))
    if cohort is None:
        abort(404)
    if not allowed(current_user, cohort.id):
        abort(403)
    return cohort
