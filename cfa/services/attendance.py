"""Taking attendance (émargement): the roster of a half-day, saving marks safely, signatures, locking, corrections.

Funders pay on the hours marks prove, so a mark is a legal record: it is never deleted, a save never
overwrites what another device recorded meanwhile, and a change after the sheet is locked needs a reason
and leaves an audit event.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.formatting import PARIS
from cfa.models import (
    AttendanceMark,
    AttendanceSheet,
    Enrolment,
    MarkStatus,
    Session,
    SessionStatus,
    SignatureMethod,
    User,
)
from cfa.models.base import utcnow
from cfa.services import audit
from cfa.services.enrolments import cohort_enrolments
from cfa.services.planning import session_details

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
        """Minutes only make sense with their status: an absent apprentice is neither late nor early."""
        return MarkInput(
            self.status,
            self.minutes_late if self.status == MarkStatus.LATE else 0,
            self.minutes_left_early if self.status == MarkStatus.LEFT_EARLY else 0,
        )


@dataclass
class SaveResult:
    saved: int = 0
    kept_from_others: list[str] = field(default_factory=list)  # what another device recorded meanwhile
    conflicts: list[str] = field(default_factory=list)  # choices of this device not saved because of those

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


def open_sheet(session: Session) -> AttendanceSheet:
    """The session's sheet, created on first use (with the secret its self sign-in codes come from)."""
    if session.status == SessionStatus.CANCELLED:
        raise AttendanceError("Cette séance est annulée : pas d'émargement.")
    sheet = sheet_of(session)
    if sheet is None:
        sheet = AttendanceSheet(session_id=session.id, qr_secret=secrets.token_hex(32))
        db.session.add(sheet)
        db.session.flush()
    return sheet


def marks_of(sheet: AttendanceSheet) -> dict[int, AttendanceMark]:
    stmt = (
        sa.select(AttendanceMark)
        .where(AttendanceMark.sheet_id == sheet.id)
        .options(selectinload(AttendanceMark.justification))
    )
    return {m.enrolment_id: m for m in db.session.scalars(stmt)}


def rows(session: Session, sheet: AttendanceSheet | None) -> list[Row]:
    marks = marks_of(sheet) if sheet else {}
    return [Row(e, marks.get(e.id)) for e in roster(session)]


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
    if state.status == MarkStatus.LATE:
        return f"en retard de {state.minutes_late} min"
    if state.status == MarkStatus.LEFT_EARLY:
        return f"parti·e {state.minutes_left_early} min plus tôt"
    return state.status.label.lower()


def _check(entry: MarkInput, session: Session, name: str) -> MarkInput:
    entry = entry.normalised()
    if entry.status == MarkStatus.LATE and entry.minutes_late <= 0:
        raise AttendanceError(f"{name} : indiquez les minutes de retard.")
    if entry.status == MarkStatus.LEFT_EARLY and entry.minutes_left_early <= 0:
        raise AttendanceError(f"{name} : indiquez combien de minutes plus tôt il ou elle est parti·e.")
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
    did not change is left as it is now, and a row changed meanwhile by another device is not overwritten."""
    check_started(session, now)
    sheet = open_sheet(session)
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
        if mark is None:
            mark = AttendanceMark(sheet_id=sheet.id, session_id=session.id, enrolment_id=enrolment_id)
            db.session.add(mark)
        mark.status, mark.minutes_late, mark.minutes_left_early = (
            entry.status,
            entry.minutes_late,
            entry.minutes_left_early,
        )
        mark.recorded_by_id = actor.id
        result.saved += 1
    if result.saved:
        sheet.version += 1
    db.session.flush()
    return result


def mark_everyone_present(session: Session, actor: User, now: datetime | None = None) -> int:
    """The first tap of a sheet: everyone not yet marked is present; the trainer then taps the exceptions."""
    check_started(session, now)
    sheet = open_sheet(session)
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
    sheet = open_sheet(session)
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


def close(session: Session, actor: User, png: bytes, user_agent: str | None, now: datetime | None = None) -> None:
    """The trainer signs and closes the sheet: every apprentice must have a mark."""
    check_started(session, now)
    sheet = open_sheet(session)
    if sheet.closed_at is not None:
        raise AttendanceError("Cette feuille est déjà close.")
    missing = [r.apprentice.full_name for r in rows(session, sheet) if r.mark is None]
    if missing:
        raise AttendanceError("Marquez d'abord : " + ", ".join(missing) + ".")
    moment = now or utcnow()
    sheet.trainer_signature = png
    sheet.trainer_signed_at = moment
    sheet.trainer_signature_user_agent = (user_agent or "")[:300]
    sheet.closed_at = moment
    sheet.closed_by_id = actor.id
    sheet.version += 1
    db.session.flush()


def correct(
    session: Session,
    enrolment_id: int,
    entry: MarkInput,
    reason: str,
    actor: User,
) -> AttendanceMark:
    """A change to a locked sheet: needs a reason, and the before and after go to the audit trail."""
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise AttendanceError("Le motif de la correction est obligatoire (5 caractères au moins).")
    sheet = open_sheet(session)
    enrolment = next((e for e in roster(session) if e.id == enrolment_id), None)
    if enrolment is None:
        raise AttendanceError("Cette personne n'est pas inscrite à cette séance.")
    entry = _check(entry, session, enrolment.apprentice.full_name)
    mark = marks_of(sheet).get(enrolment_id)
    before = state_of(mark)
    if before == entry:
        raise AttendanceError("Rien à corriger : c'est déjà ce qui est enregistré.")
    if mark is None:
        mark = AttendanceMark(sheet_id=sheet.id, session_id=session.id, enrolment_id=enrolment_id)
        db.session.add(mark)
    mark.status, mark.minutes_late, mark.minutes_left_early = entry.status, entry.minutes_late, entry.minutes_left_early
    mark.recorded_by_id = actor.id
    sheet.version += 1
    db.session.flush()
    audit.record(
        actor, "attendance_mark", mark.id, "correct",
        before=_snapshot(before), after=_snapshot(entry), reason=reason, context=("attendance_sheet", sheet.id),
    )  # fmt: skip
    db.session.flush()
    return mark


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
