"""The administration's set-up screens: one module per kind of data."""

from flask import Blueprint

from cfa.services.permissions import Ability
from cfa.views.access import require_blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
require_blueprint(bp, Ability.MANAGE_SETUP)

from cfa.views.admin import (  # noqa: E402, F401
    api_tokens,
    centres,
    cohorts,
    contracts,
    employers,
    enrolments,
    imports,
    programmes,
    users,
)
