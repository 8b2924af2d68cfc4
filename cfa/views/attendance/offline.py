"""The sheet taken without network: the device's queued writes delivered one by one, and a fresh CSRF token.

The writes are answered in JSON (cfa/static/js/offline.js shows the answers to the trainer); the rules are those of
services/attendance_sync.py, which sends each write through the sheet's usual save path.
"""

from datetime import UTC, datetime

from flask import abort, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from cfa.extensions import db
from cfa.services import attendance, notifications
from cfa.services import attendance_sync as sync
from cfa.services.attendance import AttendanceError
from cfa.services.permissions import Ability
from cfa.views.access import requires
from cfa.views.attendance import bp, session_or_404
from cfa.views.attendance.sheet_fields import posted_marks, posted_unsigned


@bp.route("/jeton")
@requires(Ability.TAKE_ATTENDANCE)
def token():
    """A CSRF token of the current session, for the writes a device queued while the page it had was stale."""
    return jsonify(csrf_token=generate_csrf())


def _device_time(value) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        abort(400, "Heure de l'appareil illisible : rechargez la page.")
    if moment.tzinfo is None:
        abort(400, "Heure de l'appareil sans fuseau : rechargez la page.")
    return moment.astimezone(UTC)


def _queued_write(session, body: dict) -> sync.QueuedWrite:
    """The write as the device queued it: its fields are those the sheet's forms post."""
    fields = body.get("fields")
    if not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
        abort(400, "Modification illisible : rechargez la page.")
    entries, seen = {}, {}
    if body.get("kind") == "marks":
        entries, seen = posted_marks(fields, attendance.rows(session, attendance.sheet_of(session)))
        seen = {eid: shown for eid, shown in seen.items() if eid in entries}
    version, enrolment = body.get("version"), body.get("enrolment_id")
    if not isinstance(version, int) or not (enrolment is None or isinstance(enrolment, int)):
        abort(400, "Modification illisible : rechargez la page.")
    return sync.QueuedWrite(
        client_id=str(body.get("id") or ""),
        kind=str(body.get("kind") or ""),
        based_on_version=version,
        device_at=_device_time(body.get("device_at")),
        entries=entries,
        seen=seen,
        enrolment_id=enrolment,
        signature=fields.get("signature"),
        unsigned=posted_unsigned(fields),
        early_reason=fields.get("early_reason", "")[:300],
    )


@bp.route("/seances/<int:session_id>/synchroniser", methods=["POST"])
@requires(Ability.TAKE_ATTENDANCE)
def sync_write(session_id: int):
    """One write of a device's offline queue (CSRF in the X-CSRFToken header, as every POST)."""
    session = session_or_404(session_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, "Modification illisible : rechargez la page.")
    write = _queued_write(session, body)
    try:
        outcome = sync.replay(session, current_user, write, request.user_agent.string)
        if outcome["status"] != "refused":
            notifications.refresh_absence_alerts(session)
    except AttendanceError as error:
        db.session.rollback()
        return jsonify(status="refused", message=str(error), kind=write.kind, replayed=False), 409
    db.session.commit()
    return jsonify(outcome), 409 if outcome["status"] == "refused" else 200
