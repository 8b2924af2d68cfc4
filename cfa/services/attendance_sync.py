"""Writes a trainer's device made without network, delivered when it comes back (the sheet taken offline).

A device keeps its marks, signatures and closing in a queue and sends them one by one, in order, later. Each goes
through the very rules of a write made online, so a late delivery never wins over what another device recorded:
- marks carry what the device showed when they were made, and `save_marks` keeps what changed meanwhile and says it;
- a write names the sheet version it was based on: when the sheet moved on, the answer says so with what changed;
- each write carries an id the device chose: a retry (the answer was lost with the network) answers what the first
  delivery did and writes nothing again;
- a refused write (sheet closed or locked meanwhile, mark made absent by another device...) is answered with its
  reason, for the trainer to see and redo, never dropped in silence;
- the device's clock is kept next to the reception time, in the audit trail and on signatures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from cfa.extensions import db
from cfa.formatting import date_time
from cfa.models import OfflineWrite, Session, SignatureMethod, User
from cfa.models.base import utcnow
from cfa.services import attendance, audit
from cfa.services import attendance_signatures as signatures
from cfa.services.attendance import AttendanceError, MarkInput
from cfa.services.attendance_signatures import Unsigned

KINDS = {
    "marks": "Émargements",
    "all_present": "« Tous présents »",
    "sign": "Signature d'un·e apprenti·e",
    "close": "Signature et clôture de la feuille",
}
SYNC_REASON = "Saisi hors ligne, synchronisé au retour du réseau"


@dataclass
class QueuedWrite:
    """One write from a device's queue, as the device sent it."""

    client_id: str
    kind: str
    based_on_version: int
    device_at: datetime
    entries: dict[int, MarkInput] = field(default_factory=dict)
    seen: dict[int, MarkInput | None] = field(default_factory=dict)
    enrolment_id: int | None = None
    signature: str | None = None  # PNG data URL, decoded under the sheet's lock so a refusal is answered like others
    unsigned: dict[int, Unsigned] = field(default_factory=dict)
    early_reason: str = ""


def check_write(write: QueuedWrite) -> None:
    """What a device may send at all; refused before anything is read."""
    if write.kind not in KINDS:
        raise AttendanceError("Type de modification inconnu : mettez l'application à jour (rechargez la page).")
    if not (8 <= len(write.client_id) <= 64) or not write.client_id.replace("-", "").isalnum():
        raise AttendanceError("Identifiant de modification invalide.")
    if write.based_on_version < 0:
        raise AttendanceError("Version de feuille invalide.")
    if write.kind == "sign" and write.enrolment_id is None:
        raise AttendanceError("Signature sans apprenti·e : rechargez la page.")


def _delivered(client_id: str) -> OfflineWrite | None:
    return db.session.scalar(sa.select(OfflineWrite).where(OfflineWrite.client_id == client_id))


def _apply(session: Session, actor: User, write: QueuedWrite, user_agent: str | None, received: datetime) -> dict:
    if write.kind == "marks":
        result = attendance.save_marks(session, actor, write.entries, write.seen, user_agent, received, SYNC_REASON)
        not_saved = bool(result.conflicts or result.signed)
        return {
            "status": "conflict" if not_saved else "saved",
            "saved": result.saved,
            "kept_from_others": result.kept_from_others,
            "conflicts": result.conflicts,
            "signed": result.signed,
            "message": result.message,
        }
    if write.kind == "all_present":
        added = attendance.mark_everyone_present(session, actor, received)
        return {"status": "saved", "saved": added, "message": None}
    png = signatures.decode_signature(write.signature)
    if write.kind == "sign":
        method = SignatureMethod.TRAINER_DEVICE
        signatures.sign(session, write.enrolment_id, png, method, user_agent, actor, received, write.device_at)
    else:
        signatures.close(
            session, actor, png, user_agent, received, write.unsigned, write.early_reason, device_at=write.device_at
        )
    return {"status": "saved", "saved": 1, "message": None}


def replay(
    session: Session, actor: User, write: QueuedWrite, user_agent: str | None = None, now: datetime | None = None
) -> dict:
    """Apply one queued write, or answer again what its first delivery did. The answer (a dict sent back as JSON)
    holds `status` (saved, conflict or refused), a French `message`, what changed meanwhile and the sheet's version.

    The sheet's row is locked first: two deliveries of the same write at once take turns, and the second finds the
    first one's record. Permission to take the sheet is the caller's check (as for every write of a sheet)."""
    check_write(write)
    received = now or utcnow()
    sheet = attendance.lock_sheet(session)
    earlier = _delivered(write.client_id)
    if earlier is not None:
        if earlier.user_id != actor.id or earlier.session_id != session.id:
            raise AttendanceError("Identifiant de modification déjà utilisé pour une autre feuille.")
        return {**earlier.outcome, "replayed": True}
    version_before = sheet.version
    try:
        with db.session.begin_nested():
            outcome = _apply(session, actor, write, user_agent, received)
    except AttendanceError as error:
        outcome = {"status": "refused", "saved": 0, "message": str(error)}
    sheet = attendance.lock_sheet(session)  # read again: a refused write rolled its savepoint back
    outcome.update(
        kind=write.kind,
        label=KINDS[write.kind],
        based_on_version=write.based_on_version,
        version=sheet.version,
        stale=write.based_on_version < version_before,
        device_at=write.device_at.isoformat(),
        received_at=received.isoformat(),
    )
    if outcome["status"] != "refused" and sheet.version != version_before:
        audit.record(
            actor,
            "attendance_sheet",
            sheet.id,
            "sync",
            after={
                "label": f"{KINDS[write.kind]} saisi(e) hors ligne le {date_time(write.device_at)} (heure de "
                f"l'appareil), reçu(e) le {date_time(received)}"
            },
            reason=SYNC_REASON,
            context=("attendance_sheet", sheet.id),
        )
    try:
        with db.session.begin_nested():
            db.session.add(
                OfflineWrite(
                    client_id=write.client_id,
                    user_id=actor.id,
                    session_id=session.id,
                    kind=write.kind,
                    based_on_version=write.based_on_version,
                    device_at=write.device_at,
                    received_at=received,
                    outcome=outcome,
                )
            )
    except IntegrityError:  # the same id sent for another sheet at this very instant: the caller rolls back
        raise AttendanceError("Identifiant de modification déjà utilisé pour une autre feuille.") from None
    return {**outcome, "replayed": False}
