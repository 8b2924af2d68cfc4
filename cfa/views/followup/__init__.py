"""Following each apprentice at the employer: the tutor's and the référent's view, the livret d'apprentissage,
company visits and tripartite meetings, the first-contact checklist.

Each page group lives in a module of this package; every route states who may open it.
"""

from flask import Blueprint

bp = Blueprint("followup", __name__, url_prefix="/suivi")

MODULES: list[str] = ["apprentices", "livret", "visits"]
