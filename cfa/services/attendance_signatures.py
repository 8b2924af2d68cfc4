"""Signing a sheet and closing it: the apprentices' signatures, then the trainer's, which closes the sheet.

A sheet closes only when each learner counted as attending signed or has a recorded reason (signed on paper,
refused, left before signing...), and before the half-day's planned end only with a reason: the sign-in sheet is
the evidence funders and auditors read (DOMAIN-FACTS §2). Each write locks the sheet's row first.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from cfa.extensions import db
from cfa.formatting import hhmm
from cfa.models import AttendanceMark, MarkStatus, Session, SignatureMethod, UnsignedReason, User
from cfa.models.base import utcnow
from cfa.services import audit
from cfa.services.attendance import (
    AttendanceError,
    Row,
    SheetLocked,
    check_started,
    is_locked,
    lock_sheet,
    marks_of,
    roster,
    rows,
    session_end,
)

MAX_SIGNATURE_BYTES = 200_000

# What a person who signs without drawing declares; kept in the audit trail with the signature's time.
TYPED_STATEMENT = (
    "Je confirme, depuis mon compte et en saisissant mon mot de passe, ma présence à cette demi-journée : "
    "cette saisie vaut signature."
)
TRAINER_TYPED_STATEMENT = (
    "Je confirme, depuis mon compte et en saisissant mon mot de passe, l'exactitude de cette feuille : "
    "cette saisie vaut signature."
)


class NotConfirmed(AttendanceError):
    """A signature without drawing whose password or statement is missing or wrong (said beside that field)."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def confirm_identity(user: User, password: str | None, confirmed: bool) -> None:
    """A signature without drawing is the account holder's own act: their password typed now, and the statement
    ticked. Checked before anything is read or written, so a refusal leaves no trace on the sheet."""
    if not confirmed:
        raise NotConfirmed("Cochez la déclaration pour signer sans tracé.", "confirm")
    if not password or not user.check_password(password):
        raise NotConfirmed("Mot de passe incorrect : la signature n'est pas enregistrée.", "password")


def record_typed(actor: User, entity: str, entity_id: int, sheet_id: int, statement: str) -> None:
    audit.record(
        actor,
        entity,
        entity_id,
        "typed_signature",
        after={"signature_method": SignatureMethod.TYPED.value, "label": SignatureMethod.TYPED.label},
        reason=statement,
        context=("attendance_sheet", sheet_id),
    )


PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def decode_signature(data_url: str | None) -> bytes:
    """A signature drawn on a canvas arrives as a PNG data URL; anything else is refused."""
    if not data_url or not data_url.startswith("data:image/png;base64,"):
        raise AttendanceError("La signature est vide : signez dans le cadre.")
    try:
        png = base64.b64decode(data_url.split(",", 1)[1], validate=True)
    except (binascii.Error, ValueError):
        raise AttendanceError("La signature n'a pas pu être lue : recommencez.") from None
    if not png.startswith(PNG_MAGIC) or len(png) > MAX_SIGNATURE_BYTES:
        raise AttendanceError("La signature n'a pas pu être lue : recommencez.")
    return png


def sign(
    session: Session,
    enrolment_id: int,
    png: bytes,
    method: SignatureMethod,
    user_agent: str | None,
    actor: User,
    now: datetime | None = None,
    device_at: datetime | None = None,
) -> AttendanceMark:
    """The apprentice's signature for a half-day; signing makes them present if nobody marked them yet.
    `device_at`: when it was drawn on a device without network; `signed_at` stays the time it was received."""
    check_started(session, now)
    sheet = lock_sheet(session)
    if is_locked(sheet, session, now):
        raise SheetLocked("Cette feuille est verrouillée : il n'est plus possible de signer.")
    if enrolment_id not in {e.id for e in roster(session)}:
        raise AttendanceError("Cette personne n'est pas inscrite à cette séance.")
    mark = marks_of(sheet).get(enrolment_id)
    if mark is not None and mark.signed_at is not None:
        raise AttendanceError("La feuille est déjà signée pour cette demi-journée.")
    if mark is not None and mark.status == MarkStatus.ABSENT:
        raise AttendanceError("Cette personne est marquée absente : le formateur doit d'abord corriger sa présence.")
    if mark is None:
        mark = AttendanceMark(
            sheet_id=sheet.id,
            session_id=session.id,
            enrolment_id=enrolment_id,
            status=MarkStatus.PRESENT,
            recorded_by_id=actor.id,
        )
        db.session.add(mark)
    mark.signature = png
    mark.signed_at = now or utcnow()
    mark.signed_on_device_at = device_at
    mark.signature_method = method
    mark.signature_user_agent = (user_agent or "")[:300]
    sheet.version += 1
    db.session.flush()
    return mark


@dataclass(frozen=True)
class Unsigned:
    """Why an attending learner has no signature, as the trainer records it when closing."""

    reason: UnsignedReason
    note: str = ""

    @property
    def label(self) -> str:
        note = self.note.strip()
        return f"{self.reason.label} : {note}" if note else self.reason.label


def awaiting_signature(rows_: list[Row]) -> list[Row]:
    """Learners counted as attending whose signature is missing."""
    return [r for r in rows_ if r.mark is not None and r.mark.status != MarkStatus.ABSENT and r.mark.signed_at is None]


def close(
    session: Session,
    actor: User,
    png: bytes | None,
    user_agent: str | None,
    now: datetime | None = None,
    unsigned: dict[int, Unsigned] | None = None,
    early_reason: str | None = None,
    device_at: datetime | None = None,
    typed: tuple[str | None, bool] | None = None,
) -> None:
    """The trainer signs and closes the sheet. Every apprentice must have a mark; each one counted as attending
    has signed or has a reason recorded for not signing; closing before the half-day's end needs a reason.

    The trainer signs by drawing (`png`) or, without drawing, with `typed` = (their password, the statement
    ticked). Closed on a device without network (`device_at`), the sheet counts as closed at the earlier of the
    device's time and the reception for that rule: a late delivery does not excuse an early closing."""
    if png is None:
        if typed is None:
            raise AttendanceError("Votre signature est vide : signez dans le cadre pour clore la feuille.")
        confirm_identity(actor, *typed)
    check_started(session, now)
    moment = now or utcnow()
    closed_when = min(moment, device_at) if device_at else moment
    sheet = lock_sheet(session)
    if sheet.closed_at is not None:
        raise AttendanceError("Cette feuille est déjà close.")
    lines = rows(session, sheet)
    missing = [r.apprentice.full_name for r in lines if r.mark is None]
    if missing:
        raise AttendanceError("Marquez d'abord : " + ", ".join(missing) + ".")
    unsigned = unsigned or {}
    waiting = awaiting_signature(lines)
    unexplained = [
        r.apprentice.full_name
        for r in waiting
        if r.enrolment.id not in unsigned
        or (unsigned[r.enrolment.id].reason == UnsignedReason.OTHER and len(unsigned[r.enrolment.id].note.strip()) < 3)
    ]
    if unexplained:
        raise AttendanceError(
            "Signature manquante pour : " + ", ".join(unexplained) + ". Faites signer, ou indiquez pour chacun·e "
            "pourquoi (signé sur papier, refus de signer, parti·e avant de signer, autre motif précisé)."
        )
    early_reason = (early_reason or "").strip()
    end = session_end(session)
    if closed_when < end and len(early_reason) < 5:
        raise AttendanceError(
            f"La demi-journée se termine à {hhmm(session.end_time)} : pour clore la feuille avant, "
            "indiquez pourquoi (5 caractères au moins)."
        )
    for row in waiting:
        explained = unsigned[row.enrolment.id]
        row.mark.unsigned_reason = explained.reason
        row.mark.unsigned_note = explained.note.strip()[:300] or None
        audit.record(
            actor,
            "attendance_mark",
            row.mark.id,
            "unsigned",
            before=None,
            after={"unsigned_reason": explained.reason.value, "label": "signature absente"},
            reason=explained.label,
            context=("attendance_sheet", sheet.id),
        )
    sheet.trainer_signature = png
    sheet.trainer_signature_method = SignatureMethod.TRAINER_DEVICE if png is not None else SignatureMethod.TYPED
    sheet.trainer_signed_at = moment
    sheet.trainer_signature_user_agent = (user_agent or "")[:300]
    sheet.trainer_signed_on_device_at = device_at
    sheet.closed_at = moment
    sheet.closed_by_id = actor.id
    sheet.early_close_reason = early_reason[:300] if closed_when < end else None
    sheet.version += 1
    audit.record(
        actor,
        "attendance_sheet",
        sheet.id,
        "close",
        after={"label": "close avant la fin prévue" if closed_when < end else "close"},
        reason=sheet.early_close_reason,
        context=("attendance_sheet", sheet.id),
    )
    if png is None:
        record_typed(actor, "attendance_sheet", sheet.id, sheet.id, TRAINER_TYPED_STATEMENT)
    db.session.flush()
