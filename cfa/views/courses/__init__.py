"""Short courses (formations courtes): training actions, their sessions de formation and trainees, agreements,
end-of-course documents, micro-certification requests and the yearly figures.

Each page group lives in a module of this package; every route states the abilities it requires.
"""

from flask import Blueprint

bp = Blueprint("courses", __name__, url_prefix="/formations-courtes")

MODULES: list[str] = [
    "runs",
    "registrations",
    "planning",
    "agreements",
    "documents",
    "micro_requests",
    "socle",
    "figures",
    "exports",
]
