"""The apprentice's (and learner's) own pages: schedule, attendance, results, certificates.

Each page lives in a module of this package named for what it shows.
"""

from flask import Blueprint

from cfa.services.permissions import Ability
from cfa.views.access import require_blueprint

bp = Blueprint("me", __name__, url_prefix="/moi")
require_blueprint(bp, Ability.VIEW_OWN_TRAINING)

# Area modules register their routes on import (e.g. `from cfa.views.me import schedule`).
MODULES: list[str] = ["schedule", "attendance", "results", "certificates", "courses", "micro_requests", "livret"]
