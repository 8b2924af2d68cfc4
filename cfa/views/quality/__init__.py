"""Quality (Qualiopi): satisfaction surveys and their answering links, complaints, improvement actions, the
indicators dashboard, the audit export and the public results page.

Each page group lives in a module of this package; every route states who may open it (the answering link and
the public results are open on purpose).
"""

from flask import Blueprint, abort, request

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


def year_arg(name: str = "annee", default: int | None = None) -> int | None:
    """A year of the query string; out of range or unreadable: a French 404, never a 500."""
    raw = request.args.get(name, "")
    if not raw:
        return default
    if not (raw.isdigit() and 2000 <= int(raw) <= 2099):
        abort(404, "Année invalide.")
    return int(raw)


def id_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    if not raw:
        return None
    if not (raw.isdigit() and len(raw) <= 9):
        abort(404, "Filtre invalide.")
    return int(raw)
