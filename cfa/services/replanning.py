"""A generated calendar stored in the database: planning a cohort for the first time, or again from a date.

`calendar_generation` decides (pure); this module feeds it what the database holds and writes its answer
back. Sessions are never deleted, only cancelled, so that subscribed calendars see the change; sessions in
the past, holding attendance marks or changed by hand are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.models import (
    CalendarPeriod,
    ClosurePeriod,
    Cohort,
    CohortSkillBlock,
    HalfDay,
    PeriodKind,
    Session,
    SessionRelease,
    SessionStatus,
    User,
)
from cfa.models.base import utcnow
from cfa.services import audit, calendar_generation
from cfa.services.calendar_queries import centre_closures, cohort_sessions, marked_session_ids, rncp_warning
from cfa.services.conflicts import Booking, Conflict, bookings_around, describe_conflicts, find_conflicts


class PlanningError(Exception):
    """A change the calendar refuses, with a message for the admin."""


class ConflictsFound(PlanningError):
    def __init__(self, conflicts: list[Conflict]):
        super().__init__(f"{len(conflicts)} conflit(s) de réservation : rien n'a été enregistré.")
        self.conflicts = conflicts


@dataclass
class Preview:
    cohort: Cohort
    from_date: date
    plan: calendar_generation.Plan
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


def build_request(
    cohort: Cohort, from_date: date, fixed: list[Session], blocked: frozenset = frozenset()
) -> calendar_generation.PlanRequest:
    programme = cohort.programme
    assignments = {a.module_id: a for a in cohort.module_assignments}
    budgets = []
    for module in programme.modules:
        assignment = assignments.get(module.id)
        budgets.append(
            calendar_generation.ModuleBudget(
                module.id,
                module.minutes,
                (assignment.trainer_id if assignment and assignment.trainer_id else module.default_trainer_id),
                assignment.room_id if assignment else None,
            )
        )
    closures = centre_closures(cohort.centre_id, cohort.start_date, cohort.end_date)
    manual = [p for p in cohort.periods if p.manual]
    return calendar_generation.PlanRequest(
        start=cohort.start_date,
        end=cohort.end_date,
        total_minutes=programme.total_minutes,
        rhythm=calendar_generation.Rhythm.of(programme),
        closures=tuple(calendar_generation.Closure(c.start_date, c.end_date, c.label) for c in closures),
        modules=tuple(budgets),
        # A course period may start after its Monday (a holiday on the Monday): the week is what counts.
        added_weeks=frozenset(
            calendar_generation.monday_of(p.start_date) for p in manual if p.kind == PeriodKind.COURSE
        ),
        removed_weeks=frozenset(
            calendar_generation.monday_of(p.start_date) for p in manual if p.kind == PeriodKind.FIELD
        ),
        fixed=tuple(calendar_generation.FixedSession(s.date, s.half_day, s.minutes) for s in fixed),
        blocked=blocked,
        from_date=from_date,
        default_room_id=cohort.default_room_id,
    )


def years_without_closure(closures: list[ClosurePeriod], start: date, end: date) -> list[int]:
    """Calendar years the plan covers for which the centre has no closure at all: most likely not entered yet,
    and then the plan puts course weeks in the Christmas or summer break."""
    covered = set()
    for closure in closures:
        covered.update(range(closure.start_date.year, closure.end_date.year + 1))
    return [year for year in range(start.year, end.year + 1) if year not in covered]


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
    result = calendar_generation.plan(build_request(cohort, from_date, fixed, blocked))
    candidates = [
        Booking(cohort.id, s.date, s.start_time, s.end_time, s.trainer_id, s.room_id) for s in result.sessions
    ]
    conflicts = find_conflicts(candidates, bookings_around(cohort.id, candidates))
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


def apply(result: Preview, actor: User | None, accept_conflicts: bool = False) -> Applied:
    """Write a preview: periods rebuilt, sessions from its first day created, updated or cancelled."""
    if result.conflicts and not accept_conflicts:
        raise ConflictsFound(result.conflicts)
    diff = _diff(result)
    _write(result.cohort, diff, actor)
    counts = diff.counts()
    _rebuild_periods(result.cohort, result.plan)
    snapshot_skill_blocks(result.cohort)
    result.cohort.planned_at = utcnow()
    audit.record(
        actor, "cohort", result.cohort.id, "plan", after={"from": result.from_date.isoformat(), **counts.__dict__}
    )
    db.session.flush()
    return counts


def changes(result: Preview) -> Applied:
    """What applying the preview would change, without changing it."""
    return _diff(result).counts()


@dataclass
class _Diff:
    """The plan's sessions matched with the stored ones by half-day: matching by slot keeps a session's id,
    hence its calendar UID, across re-plans."""

    created: list[Session] = field(default_factory=list)  # not added to the database session yet
    updated: list[tuple[Session, dict]] = field(default_factory=list)  # with the values the plan gives it
    cancelled: list[Session] = field(default_factory=list)
    unchanged: int = 0

    def counts(self) -> Applied:
        return Applied(len(self.created), len(self.updated), len(self.cancelled), self.unchanged)


def _diff(result: Preview) -> _Diff:
    clashing = {(c.date, c.start_time, c.end_time) for c in result.conflicts}
    by_slot = _replaceable_by_slot(cohort_sessions(result.cohort.id, start=result.from_date))
    diff = _Diff()
    for planned in result.plan.sessions:
        values = _planned_values(planned, clashing)
        session = by_slot.pop(planned.slot, None)
        if session is None:
            fields = dict(cohort_id=result.cohort.id, date=planned.date, half_day=planned.half_day)
            diff.created.append(Session(**fields, **values))
        elif any(getattr(session, key) != value for key, value in values.items()):
            diff.updated.append((session, values))
        else:
            diff.unchanged += 1
    diff.cancelled = [session for session in by_slot.values() if not session.is_cancelled]
    return diff


def _replaceable_by_slot(sessions: list[Session]) -> dict[tuple[date, HalfDay], Session]:
    """The stored sessions re-planning may change, one per half-day (a live one rather than a cancelled one):
    sessions holding marks or changed by hand are left alone."""
    marked = marked_session_ids(s.id for s in sessions)
    by_slot: dict[tuple[date, HalfDay], Session] = {}
    for session in sessions:
        if session.id in marked or session.manual:
            continue
        current = by_slot.get((session.date, session.half_day))
        if current is None or (current.is_cancelled and not session.is_cancelled):
            by_slot[(session.date, session.half_day)] = session
    return by_slot


def _planned_values(planned: calendar_generation.PlannedSession, clashing: set) -> dict:
    overlaps = (d == planned.date and s < planned.end_time and planned.start_time < e for d, s, e in clashing)
    return dict(
        start_time=planned.start_time,
        end_time=planned.end_time,
        module_id=planned.module_id,
        trainer_id=planned.trainer_id,
        room_id=planned.room_id,
        status=SessionStatus.PLANNED,
        conflict_accepted=any(overlaps),
    )


def _write(cohort: Cohort, diff: _Diff, actor: User | None) -> None:
    """Each change is audited: the day's changes are what the apprentices and their tutors are told
    (`planning_notices`)."""
    for session in diff.cancelled:
        before = session_snapshot(session)
        session.status = SessionStatus.CANCELLED
        session.note = "Annulée lors de la replanification"
        session.touch()
        audit_session(actor, session, "replan", before)
    release_trainers([(session, values["trainer_id"]) for session, values in diff.updated])
    for session, values in diff.updated:
        before = session_snapshot(session)
        for key, value in values.items():
            setattr(session, key, value)
        session.touch()
        audit_session(actor, session, "replan", before)
    if diff.created:
        db.session.add_all(diff.created)
        if cohort.planned_at is not None:
            # A first plan is news to nobody; a session added by a re-plan is.
            db.session.flush()
            for session in diff.created:
                audit_session(actor, session, "replan", None)


def session_snapshot(session: Session) -> dict:
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


def audit_session(actor: User | None, session: Session, action: str, before: dict | None, **extra) -> None:
    audit.record(
        actor,
        "session",
        session.id,
        action,
        before=before,
        after=session_snapshot(session),
        context=("cohort", session.cohort_id),
        **extra,
    )


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


def _rebuild_periods(cohort: Cohort, result: calendar_generation.Plan) -> None:
    """Periods are derived from the plan: the planning d'alternance shows weeks, runs of field weeks merged."""
    for period in list(cohort.periods):
        cohort.periods.remove(period)
    db.session.flush()
    last_day = max(int(d) for d in result.request.rhythm.centre_days) - 1
    session_days: dict[date, set[date]] = {}
    for item in [*result.sessions, *result.request.fixed]:
        session_days.setdefault(calendar_generation.monday_of(item.date), set()).add(item.date)
    for week in result.weeks:
        if week.kind == PeriodKind.COURSE and session_days.get(week.monday):
            # At the centre means a day with a session: a Friday cut short or a holiday inside the week is not,
            # and the tutor's calendar must not say otherwise.
            for first, last in _runs(sorted(session_days[week.monday])):
                cohort.periods.append(_period(week, first, last))
        else:
            _add_week(cohort, week, last_day)
    for day, name in result.holidays:
        cohort.periods.append(CalendarPeriod(kind=PeriodKind.HOLIDAY, start_date=day, end_date=day, label=name))


def _period(week: calendar_generation.PlannedWeek, start: date, end: date) -> CalendarPeriod:
    return CalendarPeriod(kind=week.kind, start_date=start, end_date=end, label=week.label, manual=week.manual)


def _add_week(cohort: Cohort, week: calendar_generation.PlannedWeek, last_day: int) -> None:
    """A week without sessions: a field or closure week joins the run before it when it says the same."""
    start = max(week.monday, cohort.start_date)
    end = min(week.monday + timedelta(days=last_day if week.kind == PeriodKind.COURSE else 6), cohort.end_date)
    previous = cohort.periods[-1] if cohort.periods else None
    if previous is not None and _continues(previous, week, start):
        previous.end_date = end
    else:
        cohort.periods.append(_period(week, start, end))


def _continues(previous: CalendarPeriod, week: calendar_generation.PlannedWeek, start: date) -> bool:
    same = previous.kind == week.kind and previous.label == week.label
    by_hand = previous.manual or week.manual
    return week.kind != PeriodKind.COURSE and same and not by_hand and previous.end_date >= start - timedelta(days=1)


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days grouped: [Mon, Tue, Thu] -> [(Mon, Tue), (Thu, Thu)]."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs
