"""Taking attendance (émargement): the roster of a half-day, saving marks safely, locking, corrections.

Signing and closing a sheet live in `attendance_signatures`, reading sheets back in `attendance_queries`.

Funders pay on the hours marks prove, so a mark is a legal record:
- it is never deleted, and a save never overwrites what another device recorded meanwhile;
- every write starts by locking the sheet's row (`lock_sheet`), so two devices writing at once take turns;
- a mark the apprentice signed changes only through a correction with its reason;
- every change of a mark after its first save leaves an audit event (who, when, before, after, why);
- a sheet closes only when each learner counted as attending signed or has a recorded reason, and before the
  half-day's end only with a reason; once closed its roster and marks are frozen.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
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
    User,
)
from cfa.services import audit
from cfa.services.calendar_queries import session_details
from cfa.services.enrolments import cohort_enrolments

LOCK_AFTER = timedelta(hours=48)
OPENS_BEFORE = timedelta(minutes=15)  # a sheet cannot record a half-day that has not begun


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
    if sheet.qr_secret is None:  # a sheet from before self sign-in existed (or imported): give it its secret now
        sheet.qr_secret = secrets.token_hex(32)
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
    reason: str = "Modifié pendant l'émargement",
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
        apply_mark(mark, sheet, session, enrolment_id, entry, actor, "update", reason)
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
            actor,
            "attendance_mark",
            mark.id,
            action,
            before=_snapshot(before),
            after=_snapshot(entry),
            reason=reason,
            context=("attendance_sheet", sheet.id),
        )
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
                    sheet_id=sheet.id,
                    session_id=session.id,
                    enrolment_id=enrolment.id,
                    status=MarkStatus.PRESENT,
                    recorded_by_id=actor.id,
                )
            )
            added += 1
    if added:
        sheet.version += 1
    db.session.flush()
    return added


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
            actor,
            "attendance_mark",
            mark.id,
            "correct",
            before=None,
            after=_snapshot(entry),
            reason=reason,
            context=("attendance_sheet", sheet.id),
        )
    sheet.version += 1
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
