"""Quality (Qualiopi): satisfaction surveys and their answering links, complaints, improvement actions, the
indicators dashboard, the audit export and the public results page.

Each page group lives in a module of this package; every route states who may open it (the answering link and
the public results are open on purpose).
"""

from flask import Blueprint

bp = Blueprint("quality", __name__, url_prefix="/qualite")

MODULES: list[str] = [
    "surveys",
    "survey_campaigns",
    "survey_answers",
    "survey_results",
    "survey_exports",
    "complaints",
    "actions",
    "indicators",
    "exports",
    "public",
]
