"""A cohort's calendar changed by hand: a session moved, added or cancelled, a course week added or taken out.

Each change is refused with a French message when it cannot be (the past, marks already taken, a half-day
already used), and saved only once its warnings and double bookings are accepted on purpose. Re-planning
(`replanning`) then keeps what was changed by hand where it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

import sqlalchemy as sa

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.models import CalendarPeriod, Cohort, HalfDay, PeriodKind, Session, SessionStatus, User
from cfa.services import audit, calendar_generation
from cfa.services.calendar_queries import marked_session_ids
from cfa.services.conflicts import Booking, Conflict, bookings_around, find_conflicts
from cfa.services.replanning import (
    ConflictsFound,
    PlanningError,
    Preview,
    audit_session,
    preview,
    release_trainers,
    session_snapshot,
)
from cfa.services.session_checks import Warning as SlotWarning
from cfa.services.session_checks import slot_warnings


class WarningsFound(PlanningError):
    """A hand edit that puts a session where the planner never would: saved only once accepted."""

    def __init__(self, warnings: list[SlotWarning]):
        super().__init__(f"{len(warnings)} avertissement(s) : rien n'a été enregistré.")
        self.warnings = warnings


def _check_editable(session: Session, today: date | None = None) -> None:
    if session.date < (today or today_paris()):
        raise PlanningError("Cette séance est passée : elle ne peut plus être modifiée.")
    if marked_session_ids([session.id]):
        raise PlanningError("Cette séance a déjà des émargements : elle ne peut plus être modifiée.")


@dataclass(frozen=True)
class Slot:
    """Where and with whom a session is placed by hand."""

    day: date
    half_day: HalfDay
    start_time: time
    end_time: time
    trainer_id: int | None
    room_id: int | None


def _check_slot(
    cohort: Cohort,
    session: Session | None,
    slot: Slot,
    *,
    accept_warnings: bool,
    accept_conflicts: bool,
    today: date,
) -> tuple[list[SlotWarning], list[Conflict]]:
    """Refusals first (past, outside the cohort, half-day taken), then what must be accepted on purpose."""
    day, half_day, start_time, end_time = slot.day, slot.half_day, slot.start_time, slot.end_time
    trainer_id, room_id = slot.trainer_id, slot.room_id
    if day < today:
        raise PlanningError("Une séance ne peut pas être placée dans le passé.")
    if end_time <= start_time:
        raise PlanningError("L'heure de fin doit suivre l'heure de début.")
    if not (cohort.start_date <= day <= cohort.end_date):
        raise PlanningError("Cette date est hors des dates de la promotion.")
    taken = db.session.scalar(
        sa.select(Session.id).where(
            Session.cohort_id == cohort.id,
            Session.date == day,
            Session.half_day == half_day,
            Session.status == SessionStatus.PLANNED,
            Session.id != (session.id if session is not None else -1),
        )
    )
    if taken:
        raise PlanningError("La promotion a déjà une séance sur cette demi-journée.")
    warnings = slot_warnings(cohort, day, start_time, end_time, room_id, session)
    if warnings and not accept_warnings:
        raise WarningsFound(warnings)
    candidate = Booking(cohort.id, day, start_time, end_time, trainer_id, room_id, session.id if session else None)
    conflicts = find_conflicts([candidate], bookings_around(cohort.id, [candidate]))
    if conflicts and not accept_conflicts:
        raise ConflictsFound(conflicts)
    return warnings, conflicts


def update_session(
    session: Session,
    actor: User | None,
    *,
    day: date,
    half_day: HalfDay,
    start_time: time,
    end_time: time,
    trainer_id: int | None,
    room_id: int | None,
    module_id: int | None,
    accept_conflicts: bool = False,
    accept_warnings: bool = False,
    today: date | None = None,
) -> list[Conflict]:
    """Move a session or change its trainer, room or module; refuses clashes and warnings unless accepted.
    The session is then kept as it is by later re-plans, and the half-day it left stays empty."""
    today = today or today_paris()
    _check_editable(session, today)
    warnings, conflicts = _check_slot(
        session.cohort,
        session,
        Slot(day, half_day, start_time, end_time, trainer_id, room_id),
        accept_warnings=accept_warnings,
        accept_conflicts=accept_conflicts,
        today=today,
    )
    before = session_snapshot(session)
    if (day, half_day) != (session.date, session.half_day) and session.moved_from_date is None:
        session.moved_from_date, session.moved_from_half_day = session.date, session.half_day
    release_trainers([(session, trainer_id)])
    session.date, session.half_day = day, half_day
    session.start_time, session.end_time = start_time, end_time
    session.trainer_id, session.room_id, session.module_id = trainer_id, room_id, module_id
    session.status = SessionStatus.PLANNED
    session.conflict_accepted = bool(conflicts)
    session.manual = True
    session.touch()
    extra = {"reason": "Avertissements acceptés : " + " ".join(w.message for w in warnings)} if warnings else {}
    audit_session(actor, session, "update", before, **extra)
    db.session.flush()
    return conflicts


def add_session(
    cohort: Cohort,
    actor: User | None,
    *,
    day: date,
    half_day: HalfDay,
    start_time: time,
    end_time: time,
    trainer_id: int | None,
    room_id: int | None,
    module_id: int | None,
    accept_conflicts: bool = False,
    accept_warnings: bool = False,
    today: date | None = None,
) -> Session:
    """Add a session by hand (a catch-up half-day): the same refusals and warnings as a move."""
    today = today or today_paris()
    _, conflicts = _check_slot(
        cohort,
        None,
        Slot(day, half_day, start_time, end_time, trainer_id, room_id),
        accept_warnings=accept_warnings,
        accept_conflicts=accept_conflicts,
        today=today,
    )
    session = Session(
        cohort_id=cohort.id,
        date=day,
        half_day=half_day,
        start_time=start_time,
        end_time=end_time,
        trainer_id=trainer_id,
        room_id=room_id,
        module_id=module_id,
        manual=True,
        conflict_accepted=bool(conflicts),
    )
    db.session.add(session)
    db.session.flush()
    audit_session(actor, session, "create", None)
    db.session.flush()
    return session


def cancel_session(session: Session, actor: User | None, reason: str, today: date | None = None) -> None:
    _check_editable(session, today)
    if session.is_cancelled:
        raise PlanningError("Cette séance est déjà annulée.")
    before = session_snapshot(session)
    session.status = SessionStatus.CANCELLED
    session.note = reason[:300]
    session.manual = True  # re-planning must not bring it back
    session.touch()
    audit_session(actor, session, "cancel", before, reason=reason)
    db.session.flush()


def set_course_week(
    cohort: Cohort, monday: date, at_centre: bool, actor: User | None, today: date | None = None
) -> Preview:
    """Add a course week or take one out by hand, then re-plan from that week: the hours follow."""
    today = today or today_paris()
    monday = calendar_generation.monday_of(monday)
    if monday + timedelta(days=6) < today:
        raise PlanningError("Cette semaine est passée : elle ne peut plus être modifiée.")
    if not (cohort.start_date - timedelta(days=6) <= monday <= cohort.end_date):
        raise PlanningError("Cette semaine est hors des dates de la promotion.")
    for period in [p for p in cohort.periods if p.manual and p.start_date == monday]:
        cohort.periods.remove(period)
    kind = PeriodKind.COURSE if at_centre else PeriodKind.FIELD
    cohort.periods.append(CalendarPeriod(kind=kind, start_date=monday, end_date=monday, manual=True))
    db.session.flush()
    audit.record(
        actor, "cohort", cohort.id, "add_week" if at_centre else "remove_week", after={"week": monday.isoformat()}
    )
    return preview(cohort, from_date=monday, today=today)
