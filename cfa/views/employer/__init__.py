"""The employer's pages: a tutor follows their own apprentices (calendar, absences, results).

Each page lives in a module of this package named for what it shows.
"""

from flask import Blueprint

from cfa.services.permissions import Ability
from cfa.views.access import require_blueprint

bp = Blueprint("employer", __name__, url_prefix="/employeur")
require_blueprint(bp, Ability.FOLLOW_APPRENTICES)

MODULES: list[str] = ["calendar", "absences", "results", "courses"]
