"""A cohort's calendar in the database: planning it, re-planning it and editing it by hand.

The planner (`cfa.services.planner`) decides; this module feeds it what the database holds and
writes its answer back. Sessions are never deleted, only cancelled, so that subscribed calendars
see the change; sessions in the past or holding attendance marks are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.formatting import long_date, minutes_label, today_paris
from cfa.models import (
    AttendanceMark,
    CalendarPeriod,
    ClosurePeriod,
    Cohort,
    CohortSkillBlock,
    HalfDay,
    PeriodKind,
    Programme,
    Room,
    Session,
    SessionRelease,
    SessionStatus,
    User,
)
from cfa.models.base import utcnow
from cfa.models.planning import minutes_between
from cfa.services import audit, planner
from cfa.services.conflicts import Booking, Conflict, find_conflicts
from cfa.services.session_checks import Slot, SlotContext, Span, check_session
from cfa.services.session_checks import Warning as SlotWarning


class PlanningError(Exception):
    """A change the calendar refuses, with a message for the admin."""


class ConflictsFound(PlanningError):
    def __init__(self, conflicts: list[Conflict]):
        super().__init__(f"{len(conflicts)} conflit(s) de réservation : rien n'a été enregistré.")
        self.conflicts = conflicts


class WarningsFound(PlanningError):
    """A hand edit that puts a session where the planner never would: saved only once accepted."""

    def __init__(self, warnings: list[SlotWarning]):
        super().__init__(f"{len(warnings)} avertissement(s) : rien n'a été enregistré.")
        self.warnings = warnings


@dataclass
class Preview:
    cohort: Cohort
    from_date: date
    plan: planner.Plan
    conflicts: list[Conflict]
    kept: int  # sessions left as they are (past, holding marks, or changed by hand)
    years_without_closure: list[int]
    rncp_warning: str | None = None

    def messages(self) -> list[str]:
        return describe_conflicts(self.conflicts)


@dataclass
class Applied:
    created: int = 0
    updated: int = 0
    cancelled: int = 0
    unchanged: int = 0


# --- Reading ----------------------------------------------------------------------------------


def load_cohort(cohort_id: int) -> Cohort | None:
    stmt = (
        sa.select(Cohort)
        .where(Cohort.id == cohort_id)
        .options(
            selectinload(Cohort.programme).selectinload(Programme.modules),
            selectinload(Cohort.centre),
            selectinload(Cohort.periods),
            selectinload(Cohort.module_assignments),
            selectinload(Cohort.skill_blocks),
        )
    )
    return db.session.scalar(stmt)


def marked_session_ids(session_ids) -> set[int]:
    ids = list(session_ids)
    if not ids:
        return set()
    stmt = sa.select(AttendanceMark.session_id).where(AttendanceMark.session_id.in_(ids)).distinct()
    return set(db.session.scalars(stmt))


def session_details() -> list:
    """Eager loads for a session shown with its cohort (programme, centre), module, trainer and room."""
    return [
        selectinload(Session.cohort).selectinload(Cohort.programme),
        selectinload(Session.cohort).selectinload(Cohort.centre),
        selectinload(Session.module),
        selectinload(Session.trainer),
        selectinload(Session.room),
    ]


def cohort_sessions(cohort_id: int, start: date | None = None, end: date | None = None, live_only: bool = False):
    stmt = (
        sa.select(Session)
        .where(Session.cohort_id == cohort_id)
        .options(selectinload(Session.module), selectinload(Session.trainer), selectinload(Session.room))
        .order_by(Session.date, Session.start_time, Session.id)
    )
    if start is not None:
        stmt = stmt.where(Session.date >= start)
    if end is not None:
        stmt = stmt.where(Session.date <= end)
    if live_only:
        stmt = stmt.where(Session.status == SessionStatus.PLANNED)
    return list(db.session.scalars(stmt))


def planned_minutes(cohort_id: int) -> int:
    return planned_minutes_by_cohort([cohort_id]).get(cohort_id, 0)


def planned_minutes_by_cohort(cohort_ids) -> dict[int, int]:
    """Minutes of live sessions per cohort, in one query."""
    stmt = sa.select(Session.cohort_id, Session.start_time, Session.end_time).where(
        Session.cohort_id.in_(list(cohort_ids)), Session.status == SessionStatus.PLANNED
    )
    totals: dict[int, int] = {}
    for cohort_id, start, end in db.session.execute(stmt):
        totals[cohort_id] = totals.get(cohort_id, 0) + minutes_between(start, end)
    return totals


# --- Planning ---------------------------------------------------------------------------------


def build_request(
    cohort: Cohort, from_date: date, fixed: list[Session], blocked: frozenset = frozenset()
) -> planner.PlanRequest:
    programme = cohort.programme
    assignments = {a.module_id: a for a in cohort.module_assignments}
    budgets = []
    for module in programme.modules:
        assignment = assignments.get(module.id)
        budgets.append(
            planner.ModuleBudget(
                module.id,
                module.minutes,
                (assignment.trainer_id if assignment and assignment.trainer_id else module.default_trainer_id),
                assignment.room_id if assignment else None,
            )
        )
    closures = centre_closures(cohort.centre_id, cohort.start_date, cohort.end_date)
    manual = [p for p in cohort.periods if p.manual]
    return planner.PlanRequest(
        start=cohort.start_date,
        end=cohort.end_date,
        total_minutes=programme.total_minutes,
        rhythm=planner.Rhythm.of(programme),
        closures=tuple(planner.Closure(c.start_date, c.end_date, c.label) for c in closures),
        modules=tuple(budgets),
        # A course period may start after its Monday (a holiday on the Monday): the week is what counts.
        added_weeks=frozenset(planner.monday_of(p.start_date) for p in manual if p.kind == PeriodKind.COURSE),
        removed_weeks=frozenset(planner.monday_of(p.start_date) for p in manual if p.kind == PeriodKind.FIELD),
        fixed=tuple(planner.FixedSession(s.date, s.half_day, s.minutes) for s in fixed),
        blocked=blocked,
        from_date=from_date,
        default_room_id=cohort.default_room_id,
    )


def centre_closures(centre_id: int, start: date, end: date) -> list[ClosurePeriod]:
    stmt = sa.select(ClosurePeriod).where(
        ClosurePeriod.centre_id == centre_id, ClosurePeriod.end_date >= start, ClosurePeriod.start_date <= end
    )
    return list(db.session.scalars(stmt))


def years_without_closure(closures: list[ClosurePeriod], start: date, end: date) -> list[int]:
    """Calendar years the plan covers for which the centre has no closure at all: most likely not entered yet,
    and then the plan puts course weeks in the Christmas or summer break."""
    covered = set()
    for closure in closures:
        covered.update(range(closure.start_date.year, closure.end_date.year + 1))
    return [year for year in range(start.year, end.year + 1) if year not in covered]


def rncp_warning(cohort: Cohort) -> str | None:
    """The title's registration ends before the cohort does: its apprentices may sit a title no longer registered."""
    until = cohort.programme.rncp_valid_until
    if until is None or cohort.end_date <= until:
        return None
    code = cohort.programme.rncp_code or cohort.programme.code
    return (
        f"L'enregistrement du titre au RNCP ({code}) prend fin le {long_date(until)}, avant la fin de la promotion "
        f"({long_date(cohort.end_date)}) : vérifiez son renouvellement avant de présenter les apprenti·es."
    )


def _kept_by_hand(sessions: list[Session], from_date: date) -> tuple[list[Session], frozenset]:
    """Sessions an admin changed by hand from `from_date` on, and the half-days they emptied (a session moved
    away, or cancelled): re-planning keeps the first where they are and leaves the second empty."""
    live = [s for s in sessions if s.manual and not s.is_cancelled and s.date >= from_date]
    taken = {(s.date, s.half_day) for s in sessions if not s.is_cancelled}
    emptied = {(s.moved_from_date, s.moved_from_half_day) for s in live if s.moved_from_date is not None}
    emptied |= {(s.date, s.half_day) for s in sessions if s.manual and s.is_cancelled}
    return live, frozenset(slot for slot in emptied if slot not in taken and slot[0] >= from_date)


def preview(cohort: Cohort, from_date: date | None = None, today: date | None = None) -> Preview:
    """What planning (or re-planning from a date) would give, with its conflicts; nothing is written."""
    today = today or today_paris()
    from_date = max(from_date or cohort.start_date, today, cohort.start_date)
    existing = cohort_sessions(cohort.id)
    live = [s for s in existing if not s.is_cancelled]
    marked = marked_session_ids(s.id for s in live)
    by_hand, blocked = _kept_by_hand(existing, from_date)
    hand_ids = {s.id for s in by_hand}
    fixed = [s for s in live if s.date < from_date or s.id in marked or s.id in hand_ids]
    result = planner.plan(build_request(cohort, from_date, fixed, blocked))
    candidates = [
        Booking(cohort.id, s.date, s.start_time, s.end_time, s.trainer_id, s.room_id) for s in result.sessions
    ]
    conflicts = find_conflicts(candidates, _bookings_around(cohort.id, candidates))
    closures = centre_closures(cohort.centre_id, from_date, cohort.end_date)
    return Preview(
        cohort,
        from_date,
        result,
        conflicts,
        len(fixed),
        years_without_closure(closures, from_date, cohort.end_date),
        rncp_warning(cohort),
    )


def _bookings_around(cohort_id: int, candidates: list[Booking]) -> list[Booking]:
    """Other cohorts' live sessions that could clash: same days, same trainers or rooms (one query)."""
    if not candidates:
        return []
    trainers = {c.trainer_id for c in candidates if c.trainer_id}
    rooms = {c.room_id for c in candidates if c.room_id}
    stmt = sa.select(
        Session.id, Session.cohort_id, Session.date, Session.start_time, Session.end_time,
        Session.trainer_id, Session.room_id,
    ).where(
        Session.cohort_id != cohort_id,
        Session.status == SessionStatus.PLANNED,
        Session.date.between(min(c.date for c in candidates), max(c.date for c in candidates)),
        sa.or_(Session.trainer_id.in_(trainers), Session.room_id.in_(rooms)),
    )  # fmt: skip
    return [
        Booking(row.cohort_id, row.date, row.start_time, row.end_time, row.trainer_id, row.room_id, row.id)
        for row in db.session.execute(stmt)
    ]


def describe_conflicts(conflicts: list[Conflict]) -> list[str]:
    """One French sentence per clash: who or which room, when, and which cohort holds it already."""
    wanted = {"trainer": User, "room": Room, "cohort": Cohort}
    ids: dict[str, set[int]] = {key: set() for key in wanted}
    for c in conflicts:
        ids[c.resource].add(c.resource_id)
        ids["cohort"].update(c.cohort_ids)
    names: dict[tuple[str, int], str] = {}
    for key, model in wanted.items():
        if ids[key]:
            for row in db.session.scalars(sa.select(model).where(model.id.in_(ids[key]))):
                names[(key, row.id)] = row.full_name if key == "trainer" else row.name
    return [
        f"{c.resource_label} {names.get((c.resource, c.resource_id), '?')} : {long_date(c.date)} "
        f"de {c.start_time:%H:%M} à {c.end_time:%H:%M}, déjà réservé·e pour {names.get(('cohort', c.cohort_ids[1]), '?')}"
        for c in conflicts
    ]


def apply(result: Preview, actor: User | None, accept_conflicts: bool = False) -> Applied:
    """Write a preview: periods rebuilt, sessions from its first day created, updated or cancelled."""
    if result.conflicts and not accept_conflicts:
        raise ConflictsFound(result.conflicts)
    counts = _sync(result, write=True, actor=actor)
    _rebuild_periods(result.cohort, result.plan)
    snapshot_skill_blocks(result.cohort)
    result.cohort.planned_at = utcnow()
    audit.record(
        actor, "cohort", result.cohort.id, "plan", after={"from": result.from_date.isoformat(), **counts.__dict__}
    )
    db.session.flush()
    return counts


def _sync(result: Preview, write: bool, actor: User | None = None) -> Applied:
    """Match the plan's sessions with the stored ones by half-day; count (and, if asked, make) the changes.
    Matching by slot keeps a session's id, hence its calendar UID, across re-plans. Each change is audited:
    the day's changes are what the apprentices and their tutors are told (`planning_notices`)."""
    cohort = result.cohort
    clashing = {(c.date, c.start_time, c.end_time) for c in result.conflicts}
    existing = cohort_sessions(cohort.id, start=result.from_date)
    marked = marked_session_ids(s.id for s in existing)
    by_slot: dict[tuple[date, HalfDay], Session] = {}
    created: list[Session] = []
    updates: list[tuple[Session, dict, dict]] = []
    for session in existing:
        if session.id in marked or session.manual:
            continue
        current = by_slot.get((session.date, session.half_day))
        if current is None or (current.is_cancelled and not session.is_cancelled):
            by_slot[(session.date, session.half_day)] = session
    counts = Applied()
    for planned in result.plan.sessions:
        values = dict(
            start_time=planned.start_time,
            end_time=planned.end_time,
            module_id=planned.module_id,
            trainer_id=planned.trainer_id,
            room_id=planned.room_id,
            status=SessionStatus.PLANNED,
            conflict_accepted=any(
                d == planned.date and s < planned.end_time and planned.start_time < e for d, s, e in clashing
            ),
        )
        session = by_slot.pop(planned.slot, None)
        if session is None:
            counts.created += 1
            if write:
                created.append(Session(cohort_id=cohort.id, date=planned.date, half_day=planned.half_day, **values))
        elif any(getattr(session, key) != value for key, value in values.items()):
            counts.updated += 1
            if write:
                updates.append((session, values, _snapshot(session)))
        else:
            counts.unchanged += 1
    for session in by_slot.values():
        if not session.is_cancelled:
            counts.cancelled += 1
            if write:
                before = _snapshot(session)
                session.status = SessionStatus.CANCELLED
                session.note = "Annulée lors de la replanification"
                session.touch()
                _audit_session(actor, session, "replan", before)
    release_trainers([(session, values["trainer_id"]) for session, values, _ in updates])
    for session, values, before in updates:
        for key, value in values.items():
            setattr(session, key, value)
        session.touch()
        _audit_session(actor, session, "replan", before)
    if created:
        db.session.add_all(created)
        if cohort.planned_at is not None:
            # A first plan is news to nobody; a session added by a re-plan is.
            db.session.flush()
            for session in created:
                _audit_session(actor, session, "replan", None)
    return counts


def _audit_session(actor: User | None, session: Session, action: str, before: dict | None, **extra) -> None:
    audit.record(
        actor, "session", session.id, action, before=before, after=_snapshot(session),
        context=("cohort", session.cohort_id), **extra,
    )  # fmt: skip


def release_trainers(changes: list[tuple[Session, int | None]]) -> None:
    """Remember each trainer taken off a session (session, new trainer), so that their feed shows it cancelled
    rather than dropping it; a trainer put back on a session is no longer released. One query for them all."""
    changes = [(s, new) for s, new in changes if s.id is not None and s.trainer_id != new]
    if not changes:
        return
    existing = {
        (r.session_id, r.trainer_id): r
        for r in db.session.scalars(
            sa.select(SessionRelease).where(SessionRelease.session_id.in_({s.id for s, _ in changes}))
        )
    }
    for session, new in changes:
        if new is not None and (release := existing.pop((session.id, new), None)) is not None:
            db.session.delete(release)
        if session.trainer_id is not None and (session.id, session.trainer_id) not in existing:
            existing[(session.id, session.trainer_id)] = SessionRelease(
                session_id=session.id, trainer_id=session.trainer_id
            )
            db.session.add(existing[(session.id, session.trainer_id)])


def snapshot_skill_blocks(cohort: Cohort) -> None:
    """Keep the skill blocks as they are when the cohort is first planned: what it is taught and assessed on."""
    if cohort.skill_blocks:
        return
    for block in cohort.programme.skill_blocks:
        cohort.skill_blocks.append(
            CohortSkillBlock(
                skill_block_id=block.id,
                position=block.position,
                code=block.code,
                title=block.title,
                description=block.description,
            )
        )


def changes(result: Preview) -> Applied:
    """What applying the preview would change, without changing it."""
    return _sync(result, write=False)


def _rebuild_periods(cohort: Cohort, result: planner.Plan) -> None:
    """Periods are derived from the plan: the planning d'alternance shows weeks, runs of field weeks merged."""
    for period in list(cohort.periods):
        cohort.periods.remove(period)
    db.session.flush()
    last_day = max(int(d) for d in result.request.rhythm.centre_days) - 1
    session_days: dict[date, set[date]] = {}
    for item in [*result.sessions, *result.request.fixed]:
        session_days.setdefault(planner.monday_of(item.date), set()).add(item.date)
    for week in result.weeks:
        start = max(week.monday, cohort.start_date)
        if week.kind == PeriodKind.COURSE and session_days.get(week.monday):
            # At the centre means a day with a session: a Friday cut short or a holiday inside the week is not,
            # and the tutor's calendar must not say otherwise.
            for first, last in _runs(sorted(session_days[week.monday])):
                cohort.periods.append(
                    CalendarPeriod(
                        kind=week.kind, start_date=first, end_date=last, label=week.label, manual=week.manual
                    )
                )
            continue
        if week.kind == PeriodKind.COURSE:
            end = week.monday + timedelta(days=last_day)
        else:
            end = week.monday + timedelta(days=6)
        end = min(end, cohort.end_date)
        previous = cohort.periods[-1] if cohort.periods else None
        if (
            previous is not None
            and week.kind != PeriodKind.COURSE
            and previous.kind == week.kind
            and previous.label == week.label
            and not (previous.manual or week.manual)
            and previous.end_date >= start - timedelta(days=1)
        ):
            previous.end_date = end
            continue
        cohort.periods.append(
            CalendarPeriod(kind=week.kind, start_date=start, end_date=end, label=week.label, manual=week.manual)
        )
    for day, name in result.holidays:
        cohort.periods.append(CalendarPeriod(kind=PeriodKind.HOLIDAY, start_date=day, end_date=day, label=name))


def cohort_skill_blocks(cohort: Cohort) -> list:
    """The blocks the cohort is taught: its own copy once planned, the programme's current ones before."""
    return list(cohort.skill_blocks) or list(cohort.programme.skill_blocks)


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days grouped: [Mon, Tue, Thu] -> [(Mon, Tue), (Thu, Thu)]."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


# --- Editing by hand --------------------------------------------------------------------------


def _check_editable(session: Session, today: date | None = None) -> None:
    if session.date < (today or today_paris()):
        raise PlanningError("Cette séance est passée : elle ne peut plus être modifiée.")
    if marked_session_ids([session.id]):
        raise PlanningError("Cette séance a déjà des émargements : elle ne peut plus être modifiée.")


def _snapshot(session: Session) -> dict:
    return {
        "date": session.date.isoformat(),
        "half_day": session.half_day.value,
        "start": session.start_time.strftime("%H:%M"),
        "end": session.end_time.strftime("%H:%M"),
        "trainer_id": session.trainer_id,
        "room_id": session.room_id,
        "module_id": session.module_id,
        "status": session.status.value,
        "note": session.note,
    }


def slot_warnings(
    cohort: Cohort,
    day: date,
    start_time: time,
    end_time: time,
    room_id: int | None,
    session: Session | None = None,
) -> list[SlotWarning]:
    """The warnings of placing one session of the cohort there (`session`: the one being moved, if any)."""
    programme = cohort.programme
    room = db.session.get(Room, room_id) if room_id else None
    others = planned_minutes(cohort.id) - (session.minutes if session is not None and not session.is_cancelled else 0)
    periods = cohort.periods
    context = SlotContext(
        centre_id=cohort.centre_id,
        centre_name=cohort.centre.name,
        day_start=programme.morning_start,
        day_end=programme.afternoon_end,
        total_minutes=programme.total_minutes,
        other_minutes=others,
        holidays=planner.french_holidays(day, day),
        closures=tuple(Span(c.start_date, c.end_date, c.label) for c in centre_closures(cohort.centre_id, day, day)),
        field_weeks=tuple(Span(p.start_date, p.end_date) for p in periods if p.kind == PeriodKind.FIELD),
        course_weeks=tuple(Span(p.start_date, p.end_date) for p in periods if p.kind == PeriodKind.COURSE),
    )
    slot = Slot(day, start_time, end_time, room.centre_id if room else None, room.centre.name if room else None)
    return check_session(slot, context)


def _check_slot(
    cohort: Cohort,
    session: Session | None,
    *,
    day: date,
    half_day: HalfDay,
    start_time: time,
    end_time: time,
    trainer_id: int | None,
    room_id: int | None,
    accept_warnings: bool,
    accept_conflicts: bool,
    today: date,
) -> tuple[list[SlotWarning], list[Conflict]]:
    """Refusals first (past, outside the cohort, half-day taken), then what must be accepted on purpose."""
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
    conflicts = find_conflicts([candidate], _bookings_around(cohort.id, [candidate]))
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
        session.cohort, session, day=day, half_day=half_day, start_time=start_time, end_time=end_time,
        trainer_id=trainer_id, room_id=room_id, accept_warnings=accept_warnings,
        accept_conflicts=accept_conflicts, today=today,
    )  # fmt: skip
    before = _snapshot(session)
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
    _audit_session(actor, session, "update", before, **extra)
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
        cohort, None, day=day, half_day=half_day, start_time=start_time, end_time=end_time,
        trainer_id=trainer_id, room_id=room_id, accept_warnings=accept_warnings,
        accept_conflicts=accept_conflicts, today=today,
    )  # fmt: skip
    session = Session(
        cohort_id=cohort.id, date=day, half_day=half_day, start_time=start_time, end_time=end_time,
        trainer_id=trainer_id, room_id=room_id, module_id=module_id, manual=True, conflict_accepted=bool(conflicts),
    )  # fmt: skip
    db.session.add(session)
    db.session.flush()
    _audit_session(actor, session, "create", None)
    db.session.flush()
    return session


def cancel_session(session: Session, actor: User | None, reason: str, today: date | None = None) -> None:
    _check_editable(session, today)
    if session.is_cancelled:
        raise PlanningError("Cette séance est déjà annulée.")
    before = _snapshot(session)
    session.status = SessionStatus.CANCELLED
    session.note = reason[:300]
    session.manual = True  # re-planning must not bring it back
    session.touch()
    _audit_session(actor, session, "cancel", before, reason=reason)
    db.session.flush()


def set_course_week(
    cohort: Cohort, monday: date, at_centre: bool, actor: User | None, today: date | None = None
) -> Preview:
    """Add a course week or take one out by hand, then re-plan from that week: the hours follow."""
    today = today or today_paris()
    monday = planner.monday_of(monday)
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


def hours_summary(cohort: Cohort, minutes: int | None = None) -> str:
    planned = planned_minutes(cohort.id) if minutes is None else minutes
    total = cohort.programme.total_minutes
    if planned == total:
        return f"{minutes_label(planned)} planifiées sur {minutes_label(total)}"
    if planned < total:
        return f"{minutes_label(planned)} planifiées sur {minutes_label(total)} : il manque {minutes_label(total - planned)}"
    return f"{minutes_label(planned)} planifiées sur {minutes_label(total)} : {minutes_label(planned - total)} de trop"


# --- Reading the calendar back ----------------------------------------------------------------


@dataclass
class DayCell:
    day: date
    kind: str  # course, field, holiday, closure, outside
    label: str | None = None


@dataclass
class WeekRow:
    monday: date
    kind: PeriodKind
    label: str | None
    manual: bool
    minutes: int
    cancelled: int
    days: list[DayCell]
    sessions: list[Session]

    @property
    def new_month(self) -> bool:
        return self.monday.day <= 7


def year_overview(cohort: Cohort, sessions: list[Session]) -> list[WeekRow]:
    """The planning d'alternance week by week, from the stored periods and sessions (no query)."""
    periods = sorted(cohort.periods, key=lambda p: (p.start_date, p.kind != PeriodKind.COURSE))
    by_week: dict[date, list[Session]] = {}
    for session in sessions:
        by_week.setdefault(planner.monday_of(session.date), []).append(session)
    centre_days = max(5, max(int(d) for d in cohort.programme.centre_days))
    rows = []
    monday = planner.monday_of(cohort.start_date)
    while monday <= cohort.end_date:
        covering = [p for p in periods if p.start_date <= monday + timedelta(days=6) and p.end_date >= monday]
        week_period = next((p for p in covering if p.kind == PeriodKind.COURSE), None) or next(
            (p for p in covering if p.kind in (PeriodKind.CLOSURE, PeriodKind.FIELD)), None
        )
        week_sessions = by_week.get(monday, [])
        live = [s for s in week_sessions if not s.is_cancelled]
        days = []
        for offset in range(centre_days):
            day = monday + timedelta(days=offset)
            days.append(_day_cell(day, cohort, covering, live))
        rows.append(
            WeekRow(
                monday=monday,
                kind=week_period.kind if week_period else PeriodKind.FIELD,
                label=week_period.label if week_period else None,
                manual=bool(week_period and week_period.manual),
                minutes=sum(s.minutes for s in live),
                cancelled=len(week_sessions) - len(live),
                days=days,
                sessions=week_sessions,
            )
        )
        monday += timedelta(days=7)
    return rows


def _day_cell(day: date, cohort: Cohort, covering: list[CalendarPeriod], live: list[Session]) -> DayCell:
    if not (cohort.start_date <= day <= cohort.end_date):
        return DayCell(day, "outside")
    for kind in (PeriodKind.HOLIDAY, PeriodKind.CLOSURE):
        period = next((p for p in covering if p.kind == kind and p.start_date <= day <= p.end_date), None)
        if period:
            return DayCell(day, kind.value, period.label)
    if any(s.date == day for s in live):
        return DayCell(day, "course")
    return DayCell(day, "field")


def course_weeks_of(cohort_ids, start: date | None = None) -> list[CalendarPeriod]:
    """Course weeks of several cohorts, in date order (one query): when apprentices are at the centre."""
    stmt = (
        sa.select(CalendarPeriod)
        .where(CalendarPeriod.cohort_id.in_(list(cohort_ids)), CalendarPeriod.kind == PeriodKind.COURSE)
        .order_by(CalendarPeriod.start_date)
    )
    if start is not None:
        stmt = stmt.where(CalendarPeriod.end_date >= start)
    return list(db.session.scalars(stmt))


def trainer_sessions(trainer_id: int, start: date, end: date) -> list[Session]:
    stmt = (
        sa.select(Session)
        .where(Session.trainer_id == trainer_id, Session.date.between(start, end))
        .options(*session_details())
        .order_by(Session.date, Session.start_time)
    )
    return list(db.session.scalars(stmt))


@dataclass
class CohortCalendar:
    cohort: Cohort
    rows: list[WeekRow]
    planned_minutes: int
    first_day: date | None
    last_day: date | None
    rncp_warning: str | None = None

    @property
    def course_weeks(self) -> int:
        return sum(1 for r in self.rows if r.kind == PeriodKind.COURSE)

    @property
    def moved(self) -> list[WeekRow]:
        return [r for r in self.rows if r.kind == PeriodKind.COURSE and r.label]

    @property
    def missing_minutes(self) -> int:
        return self.cohort.programme.total_minutes - self.planned_minutes


def cohort_calendar(cohort: Cohort) -> CohortCalendar:
    """Everything the calendar pages and the year plan show of a cohort, in two queries."""
    sessions = cohort_sessions(cohort.id)
    live = [s for s in sessions if not s.is_cancelled]
    return CohortCalendar(
        cohort=cohort,
        rows=year_overview(cohort, sessions),
        planned_minutes=sum(s.minutes for s in live),
        first_day=live[0].date if live else None,
        last_day=live[-1].date if live else None,
        rncp_warning=rncp_warning(cohort),
    )


@dataclass
class CentreWeek:
    start: date
    end: date
    apprentices: list  # enrolments at the centre that week

    def is_current(self, day: date) -> bool:
        return self.start <= day <= self.end + timedelta(days=2)


def centre_weeks_for(enrolments, start: date) -> list[CentreWeek]:
    """Weeks at the centre of several apprentices, merged by dates: what a tutor plans their team around."""
    by_cohort: dict[int, list] = {}
    for enrolment in enrolments:
        by_cohort.setdefault(enrolment.cohort_id, []).append(enrolment)
    weeks: dict[tuple[date, date], CentreWeek] = {}
    for period in course_weeks_of(by_cohort, start=start):
        present = [e for e in by_cohort[period.cohort_id] if e.is_enrolled_on(period.start_date)]
        if present:
            week = weeks.setdefault(
                (period.start_date, period.end_date), CentreWeek(period.start_date, period.end_date, [])
            )
            week.apprentices.extend(present)
    return [weeks[key] for key in sorted(weeks)]
