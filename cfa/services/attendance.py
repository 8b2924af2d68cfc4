"""Taking attendance (émargement): the roster of a half-day, saving marks safely, signatures, locking, corrections.

Funders pay on the hours marks prove, so a mark is a legal record:
- it is never deleted, and a save never overwrites what another device recorded meanwhile;
- every write starts by locking the sheet's row (`lock_sheet`), so two devices writing at once take turns;
- a mark the apprentice signed changes only through a correction with its reason;
- every change of a mark after its first save leaves an audit event (who, when, before, after, why);
- a sheet closes only when each learner counted as attending signed or has a recorded reason, and before the
  half-day's end only with a reason; once closed its roster and marks are frozen.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.formatting import PARIS, hhmm
from cfa.models import (
    AttendanceMark,
    AttendanceSheet,
    AuditEvent,
    Enrolment,
    MarkStatus,
    Session,
    SessionStatus,
    SignatureMethod,
    UnsignedReason,
    User,
)
from cfa.models.base import utcnow
from cfa.services import audit
from cfa.services.calendar_queries import session_details
from cfa.services.enrolments import cohort_enrolments

LOCK_AFTER = timedelta(hours=48)
OPENS_BEFORE = timedelta(minutes=15)  # a sheet cannot record a half-day that has not begun
MAX_SIGNATURE_BYTES = 200_000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class AttendanceError(Exception):
    """A refused attendance action, with a French message for the person who tried."""


class SheetLocked(AttendanceError):
    pass


@dataclass(frozen=True)
class MarkInput:
    status: MarkStatus
    minutes_late: int = 0
    minutes_left_early: int = 0

    def normalised(self) -> MarkInput:
        """Present and absent carry no minutes. A late arrival and an early leave of the same half-day go
        together in one mark, whose status is "late" whenever there was a late arrival."""
        if self.status in (MarkStatus.PRESENT, MarkStatus.ABSENT):
            return MarkInput(self.status)
        late, early = max(0, self.minutes_late), max(0, self.minutes_left_early)
        return MarkInput(MarkStatus.LATE if late else MarkStatus.LEFT_EARLY, late, early)


@dataclass
class SaveResult:
    saved: int = 0
    kept_from_others: list[str] = field(default_factory=list)  # what another device recorded meanwhile
    conflicts: list[str] = field(default_factory=list)  # choices of this device not saved because of those
    signed: list[str] = field(default_factory=list)  # rows the apprentice signed: only a correction changes them

    @property
    def message(self) -> str | None:
        parts = []
        if self.kept_from_others:
            parts.append(
                "Modifié depuis un autre appareil pendant que vous émargiez : "
                + " ; ".join(self.kept_from_others)
                + "."
            )
        if self.conflicts:
            parts.append(
                "Non enregistré (déjà saisi autrement) : "
                + " ; ".join(self.conflicts)
                + ". Vérifiez et corrigez si besoin."
            )
        if self.signed:
            parts.append(
                "Non modifié car déjà signé par l'apprenti·e : "
                + " ; ".join(self.signed)
                + ". Un émargement signé ne change que par une correction motivée."
            )
        return " ".join(parts) or None


@dataclass
class Row:
    enrolment: Enrolment
    mark: AttendanceMark | None

    @property
    def apprentice(self) -> User:
        return self.enrolment.apprentice


def _at(session: Session, moment_time) -> datetime:
    return datetime.combine(session.date, moment_time, tzinfo=PARIS)


def session_start(session: Session) -> datetime:
    return _at(session, session.start_time)


def session_end(session: Session) -> datetime:
    return _at(session, session.end_time)


def roster(session: Session) -> list[Enrolment]:
    """The apprentices enrolled in the session's cohort on its date: not those who left, nor those yet to start."""
    return [e for e in cohort_enrolments(session.cohort_id) if e.is_enrolled_on(session.date)]


def load_session(session_id: int) -> Session | None:
    stmt = sa.select(Session).where(Session.id == session_id).options(*session_details())
    return db.session.scalar(stmt)


def sheet_of(session: Session) -> AttendanceSheet | None:
    return db.session.scalar(sa.select(AttendanceSheet).where(AttendanceSheet.session_id == session.id))


def _locked_sheet(session_id: int) -> AttendanceSheet | None:
    # populate_existing: what this request read before waiting for the lock may be stale by now.
    stmt = (
        sa.select(AttendanceSheet)
        .where(AttendanceSheet.session_id == session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return db.session.scalar(stmt)


def lock_sheet(session: Session) -> AttendanceSheet:
    """The session's sheet, created on first use, its row locked until the transaction ends.

    Every write to a sheet or its marks starts here: two devices writing at the same instant take turns,
    and the second one then reads what the first one saved (SELECT ... FOR UPDATE on PostgreSQL; on SQLite
    a write request holds the database's write lock from its start, see cfa/extensions.py)."""
    if session.status == SessionStatus.CANCELLED:
        raise AttendanceError("Cette séance est annulée : pas d'émargement.")
    sheet = _locked_sheet(session.id)
    if sheet is None:
        try:
            with db.session.begin_nested():
                db.session.add(AttendanceSheet(session_id=session.id, qr_secret=secrets.token_hex(32)))
        except IntegrityError:
            pass  # another device created it at the same instant: use theirs
        sheet = _locked_sheet(session.id)
    return sheet


def marks_of(sheet: AttendanceSheet) -> dict[int, AttendanceMark]:
    stmt = (
        sa.select(AttendanceMark)
        .where(AttendanceMark.sheet_id == sheet.id)
        .options(selectinload(AttendanceMark.justification))
        .execution_options(populate_existing=True)
    )
    return {m.enrolment_id: m for m in db.session.scalars(stmt)}


def rows(session: Session, sheet: AttendanceSheet | None) -> list[Row]:
    """The sheet's lines: the roster of the date, or, once the sheet is closed, the learners it held then."""
    marks = marks_of(sheet) if sheet else {}
    if sheet is not None and sheet.closed_at is not None:
        return [Row(e, marks[e.id]) for e in cohort_enrolments(session.cohort_id) if e.id in marks]
    return [Row(e, marks.get(e.id)) for e in roster(session)]


def enrolled_after_closing(session_ids) -> dict[int, list[Enrolment]]:
    """Per closed sheet, the learners enrolled on its date who are not on it: enrolled after it closed (often
    with a contract start in the past). A closed sheet is never changed for them; the follow-up lists them apart."""
    ids = list(session_ids)
    if not ids:
        return {}
    on_sheet = (
        sa.select(AttendanceMark.id)
        .where(AttendanceMark.sheet_id == AttendanceSheet.id, AttendanceMark.enrolment_id == Enrolment.id)
        .exists()
    )
    stmt = (
        sa.select(Session.id, Enrolment)
        .join(AttendanceSheet, AttendanceSheet.session_id == Session.id)
        .join(Enrolment, Enrolment.cohort_id == Session.cohort_id)
        .where(
            Session.id.in_(ids),
            AttendanceSheet.closed_at.is_not(None),
            Enrolment.contract_start <= Session.date,
            sa.func.coalesce(Enrolment.interrupted_on, Enrolment.contract_end) >= Session.date,
            ~on_sheet,
        )
        .options(selectinload(Enrolment.apprentice))
    )
    found: dict[int, list[Enrolment]] = {}
    for session_id, enrolment in db.session.execute(stmt):
        found.setdefault(session_id, []).append(enrolment)
    for enrolments in found.values():
        enrolments.sort(key=lambda e: (e.apprentice.last_name.lower(), e.apprentice.first_name.lower()))
    return found


def check_started(session: Session, now: datetime | None = None) -> None:
    if (now or datetime.now(UTC)) < session_start(session) - OPENS_BEFORE:
        raise AttendanceError("La séance n'a pas encore commencé : l'émargement ouvre 15 minutes avant son début.")


def is_locked(sheet: AttendanceSheet, session: Session, now: datetime | None = None) -> bool:
    """Closed by the trainer's signature, or 48 hours after the session ended."""
    now = now or datetime.now(UTC)
    return sheet.closed_at is not None or now > session_end(session) + LOCK_AFTER


def state_of(mark: AttendanceMark | None) -> MarkInput | None:
    if mark is None:
        return None
    return MarkInput(mark.status, mark.minutes_late, mark.minutes_left_early)


def describe(state: MarkInput | None) -> str:
    if state is None:
        return "non renseigné"
    parts = []
    if state.status != MarkStatus.ABSENT and state.minutes_late:
        parts.append(f"en retard de {state.minutes_late} min")
    if state.status != MarkStatus.ABSENT and state.minutes_left_early:
        parts.append(f"parti·e {state.minutes_left_early} min plus tôt")
    return ", ".join(parts) or state.status.label.lower()


def _check(entry: MarkInput, session: Session, name: str) -> MarkInput:
    if entry.status == MarkStatus.LATE and entry.minutes_late <= 0:
        raise AttendanceError(f"{name} : indiquez les minutes de retard.")
    if entry.status == MarkStatus.LEFT_EARLY and entry.minutes_left_early <= 0:
        raise AttendanceError(f"{name} : indiquez combien de minutes plus tôt il ou elle est parti·e.")
    entry = entry.normalised()
    if entry.minutes_late + entry.minutes_left_early >= session.minutes:
        raise AttendanceError(
            f"{name} : les minutes dépassent la durée de la séance ({session.minutes} min) ; marquez l'absence."
        )
    return entry


def save_marks(
    session: Session,
    actor: User,
    entries: dict[int, MarkInput],
    seen: dict[int, MarkInput | None],
    user_agent: str | None = None,
    now: datetime | None = None,
) -> SaveResult:
    """Record a device's marks. `seen` is what the device showed when it loaded the sheet: a row the device
    did not change is left as it is now, a row changed meanwhile by another device is not overwritten, and a
    row the apprentice signed is left for a correction."""
    check_started(session, now)
    sheet = lock_sheet(session)
    if is_locked(sheet, session, now):
        raise SheetLocked("Cette feuille est verrouillée : une modification passe par une correction motivée.")
    enrolled = {e.id: e for e in roster(session)}
    unknown = set(entries) - set(enrolled)
    if unknown:
        raise AttendanceError("Un·e apprenti·e de la feuille n'est pas inscrit·e à cette date : rechargez la page.")
    checked = {eid: _check(entry, session, enrolled[eid].apprentice.full_name) for eid, entry in entries.items()}
    current = marks_of(sheet)
    result = SaveResult()
    for enrolment_id, entry in checked.items():
        name = enrolled[enrolment_id].apprentice.full_name
        mark = current.get(enrolment_id)
        now_state, before = state_of(mark), seen.get(enrolment_id)
        before = before.normalised() if before else None
        if entry == before:  # this device did not touch the row
            if now_state != before:
                result.kept_from_others.append(f"{name} : {describe(now_state)}")
            continue
        if now_state != before and now_state != entry:
            result.conflicts.append(f"{name} : {describe(now_state)} (vous : {describe(entry)})")
            continue
        if now_state == entry:
            continue
        if mark is not None and mark.signed_at is not None:
            result.signed.append(f"{name} ({describe(now_state)})")
            continue
        apply_mark(mark, sheet, session, enrolment_id, entry, actor, "update", "Modifié pendant l'émargement")
        result.saved += 1
    if result.saved:
        sheet.version += 1
    db.session.flush()
    return result


def apply_mark(
    mark: AttendanceMark | None,
    sheet: AttendanceSheet,
    session: Session,
    enrolment_id: int,
    entry: MarkInput,
    actor: User | None,
    action: str,
    reason: str,
) -> AttendanceMark:
    """Write a mark; any change of a mark that was already saved goes to the audit trail."""
    before = state_of(mark)
    if mark is None:
        mark = AttendanceMark(sheet_id=sheet.id, session_id=session.id, enrolment_id=enrolment_id)
        db.session.add(mark)
    mark.status, mark.minutes_late, mark.minutes_left_early = entry.status, entry.minutes_late, entry.minutes_left_early
    mark.recorded_by_id = actor.id if actor else None
    db.session.flush()
    if before is not None:
        audit.record(
            actor, "attendance_mark", mark.id, action,
            before=_snapshot(before), after=_snapshot(entry), reason=reason, context=("attendance_sheet", sheet.id),
        )  # fmt: skip
    return mark


def mark_everyone_present(session: Session, actor: User, now: datetime | None = None) -> int:
    """The first tap of a sheet: everyone not yet marked is present; the trainer then taps the exceptions."""
    check_started(session, now)
    sheet = lock_sheet(session)
    if is_locked(sheet, session, now):
        raise SheetLocked("Cette feuille est verrouillée.")
    current = marks_of(sheet)
    added = 0
    for enrolment in roster(session):
        if enrolment.id not in current:
            db.session.add(
                AttendanceMark(
                    sheet_id=sheet.id, session_id=session.id, enrolment_id=enrolment.id,
                    status=MarkStatus.PRESENT, recorded_by_id=actor.id,
                )
            )  # fmt: skip
            added += 1
    if added:
        sheet.version += 1
    db.session.flush()
    return added


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
) -> AttendanceMark:
    """The apprentice's signature for a half-day; signing makes them present if nobody marked them yet."""
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
            sheet_id=sheet.id, session_id=session.id, enrolment_id=enrolment_id,
            status=MarkStatus.PRESENT, recorded_by_id=actor.id,
        )  # fmt: skip
        db.session.add(mark)
    mark.signature = png
    mark.signed_at = now or utcnow()
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
    png: bytes,
    user_agent: str | None,
    now: datetime | None = None,
    unsigned: dict[int, Unsigned] | None = None,
    early_reason: str | None = None,
) -> None:
    """The trainer signs and closes the sheet. Every apprentice must have a mark; each one counted as attending
    has signed or has a reason recorded for not signing; closing before the half-day's end needs a reason."""
    check_started(session, now)
    moment = now or utcnow()
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
    if moment < end and len(early_reason) < 5:
        raise AttendanceError(
            f"La demi-journée se termine à {hhmm(session.end_time)} : pour clore la feuille avant, "
            "indiquez pourquoi (5 caractères au moins)."
        )
    for row in waiting:
        explained = unsigned[row.enrolment.id]
        row.mark.unsigned_reason = explained.reason
        row.mark.unsigned_note = explained.note.strip()[:300] or None
        audit.record(
            actor, "attendance_mark", row.mark.id, "unsigned",
            before=None, after={"unsigned_reason": explained.reason.value, "label": "signature absente"},
            reason=explained.label, context=("attendance_sheet", sheet.id),
        )  # fmt: skip
    sheet.trainer_signature = png
    sheet.trainer_signed_at = moment
    sheet.trainer_signature_user_agent = (user_agent or "")[:300]
    sheet.closed_at = moment
    sheet.closed_by_id = actor.id
    sheet.early_close_reason = early_reason[:300] if moment < end else None
    sheet.version += 1
    audit.record(
        actor, "attendance_sheet", sheet.id, "close",
        after={"label": "close avant la fin prévue" if moment < end else "close"},
        reason=sheet.early_close_reason, context=("attendance_sheet", sheet.id),
    )  # fmt: skip
    db.session.flush()


def correct(
    session: Session,
    enrolment_id: int,
    entry: MarkInput,
    reason: str,
    actor: User,
    now: datetime | None = None,
) -> AttendanceMark:
    """A correction: the only way to change a signed mark or a locked sheet. It needs a reason, and the before
    and after go to the audit trail. A closed sheet is corrected for the learners it held, never extended."""
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise AttendanceError("Le motif de la correction est obligatoire (5 caractères au moins).")
    check_started(session, now)
    sheet = lock_sheet(session)
    enrolment = next((r.enrolment for r in rows(session, sheet) if r.enrolment.id == enrolment_id), None)
    if enrolment is None:
        raise AttendanceError("Cette personne n'est pas sur cette feuille.")
    entry = _check(entry, session, enrolment.apprentice.full_name)
    mark = marks_of(sheet).get(enrolment_id)
    if state_of(mark) == entry:
        raise AttendanceError("Rien à corriger : c'est déjà ce qui est enregistré.")
    before = state_of(mark)
    mark = apply_mark(mark, sheet, session, enrolment_id, entry, actor, "correct", reason)
    if before is None:  # a first mark made by a correction is audited too: it is after the fact
        audit.record(
            actor, "attendance_mark", mark.id, "correct",
            before=None, after=_snapshot(entry), reason=reason, context=("attendance_sheet", sheet.id),
        )  # fmt: skip
    sheet.version += 1
    db.session.flush()
    return mark


def last_corrections(mark_ids) -> dict[int, datetime]:
    """When each mark was last corrected (one query), for the sheet and its PDF to point to the history."""
    ids = list(mark_ids)
    if not ids:
        return {}
    stmt = (
        sa.select(AuditEvent.entity_id, sa.func.max(AuditEvent.at))
        .where(AuditEvent.entity == "attendance_mark", AuditEvent.action == "correct", AuditEvent.entity_id.in_(ids))
        .group_by(AuditEvent.entity_id)
    )
    return dict(db.session.execute(stmt).tuples().all())


def _snapshot(state: MarkInput | None) -> dict | None:
    if state is None:
        return None
    return {
        "status": state.status.value,
        "minutes_late": state.minutes_late,
        "minutes_left_early": state.minutes_left_early,
        "label": describe(state),
    }


def sessions_on(day: date, trainer: User | None = None) -> list[Session]:
    """The day's live sessions: a trainer's own, or all of them."""
    stmt = (
        sa.select(Session)
        .where(Session.date == day, Session.status == SessionStatus.PLANNED)
        .options(*session_details())
        .order_by(Session.start_time, Session.cohort_id)
    )
    if trainer is not None:
        stmt = stmt.where(Session.trainer_id == trainer.id)
    return list(db.session.scalars(stmt))


def sheets_by_session(session_ids) -> dict[int, AttendanceSheet]:
    ids = list(session_ids)
    if not ids:
        return {}
    stmt = sa.select(AttendanceSheet).where(AttendanceSheet.session_id.in_(ids))
    return {s.session_id: s for s in db.session.scalars(stmt)}


def mark_counts(session_ids) -> dict[int, dict[MarkStatus, int]]:
    """Per session, how many marks of each status (one query)."""
    ids = list(session_ids)
    counts: dict[int, dict[MarkStatus, int]] = {}
    if not ids:
        return counts
    stmt = (
        sa.select(AttendanceMark.session_id, AttendanceMark.status, sa.func.count())
        .where(AttendanceMark.session_id.in_(ids))
        .group_by(AttendanceMark.session_id, AttendanceMark.status)
    )
    for session_id, status, number in db.session.execute(stmt):
        counts.setdefault(session_id, {})[status] = number
    return counts
