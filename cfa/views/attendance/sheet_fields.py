"""The fields of a posted sheet, read the same way whether the form arrives now or replayed after a time offline:
each learner's status and minutes, what the device showed when it loaded the sheet, and the reasons for a missing
signature. A value no form can produce is a 400 with a French message, never a guess."""

from flask import abort

from cfa.models import MarkStatus, UnsignedReason
from cfa.services.attendance import MarkInput
from cfa.services.attendance_signatures import Unsigned


def posted_marks(form, rows) -> tuple[dict, dict]:
    """The statuses posted for each row, and what the device showed when it loaded the sheet."""
    entries, seen = {}, {}
    for row in rows:
        eid = row.enrolment.id
        status = form.get(f"status-{eid}")
        if status:
            entries[eid] = MarkInput(
                posted_status(status), posted_minutes(form.get(f"late-{eid}")), posted_minutes(form.get(f"early-{eid}"))
            )
        shown = form.get(f"seen-{eid}")
        if shown:
            status_shown, late, early = (shown.split(":") + ["0", "0"])[:3]
            seen[eid] = MarkInput(posted_status(status_shown), posted_minutes(late), posted_minutes(early))
        else:
            seen[eid] = None
    return entries, seen


def posted_status(value: str) -> MarkStatus:
    try:
        return MarkStatus(value)
    except ValueError:
        abort(400, "Statut de présence inconnu : rechargez la page et recommencez.")


def posted_minutes(value) -> int:
    """Minutes as typed; the service checks them against the half-day's length."""
    value = (value or "").strip()
    if not value:
        return 0
    if not (value.isdigit() and len(value) <= 4):
        abort(400, "Les minutes de retard ou de départ doivent être un nombre entier de minutes.")
    return int(value)


def posted_unsigned(form) -> dict[int, Unsigned]:
    """The reasons the trainer gave for learners who did not sign (fields `unsigned-<enrolment>`)."""
    reasons = {}
    for key, value in form.items():
        if not key.startswith("unsigned-") or key.startswith("unsigned-note-") or not value:
            continue
        try:
            eid, reason = int(key.removeprefix("unsigned-")), UnsignedReason(value)
        except ValueError:
            abort(400, "Motif d'absence de signature inconnu : rechargez la page et recommencez.")
        reasons[eid] = Unsigned(reason, (form.get(f"unsigned-note-{eid}") or "")[:300])
    return reasons
