"""Assessment pages for trainers and the administration: ECF, jury sessions, micro-certifications.

Each page group lives in a module of this package; every route states the abilities it requires.
"""

from flask import Blueprint

bp = Blueprint("assessment", __name__, url_prefix="/evaluation")

MODULES = ["evaluations", "juries", "awards", "exports"]
