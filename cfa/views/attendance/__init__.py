"""Émargement: the trainer's day, the sheet of a half-day, the CFA's follow-up and documents.

Each page lives in a module of this package named for what it shows.
"""

from flask import Blueprint, abort
from flask_login import current_user

from cfa.services import attendance
from cfa.services.permissions import can_take_attendance

bp = Blueprint("attendance", __name__, url_prefix="/emargement")

MODULES = ["sheets", "offline", "overview", "documents", "controls", "exports"]


def session_or_404(session_id: int):
    """The session, if the user may take its sheet (an admin any, a trainer those they teach)."""
    session = attendance.load_session(session_id)
    if session is None:
        abort(404)
    if not can_take_attendance(current_user, session):
        abort(403)
    return session
