"""A short course's half-days placed from a pattern ("6 days over three weeks, on Mondays and Tuesdays").

`plan_pattern` is pure: the pattern, the public holidays and the centre's closures in, dated half-days out, with the
days it skipped and why. `preview_pattern` adds what the database knows (the run's own half-days, the double bookings
of trainers and rooms across cohorts and short courses, found by `conflicts`), and `apply_pattern` writes the
half-days only when nothing refuses them and the conflicts, if any, were accepted on purpose.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta

import sqlalchemy as sa

from cfa.extensions import db
from cfa.formatting import long_date, minutes_label, today_paris
from cfa.models import Cohort, HalfDay, Session, SessionStatus, User
from cfa.services.attendance_rates import SESSION_MINUTES
from cfa.services.calendar_generation import Closure, PlannedSession, french_holidays
from cfa.services.calendar_queries import centre_closures
from cfa.services.conflicts import Booking, Conflict, bookings_around, find_conflicts
from cfa.services.replanning import ConflictsFound, PlanningError, audit_session

# However sparse the weekdays, a pattern never reaches further than this from its start.
HORIZON = timedelta(days=366)


@dataclass(frozen=True)
class Pattern:
    start: date
    days: int  # days of training to place
    weekdays: tuple[int, ...]  # ISO weekdays the course runs on
    half_days: tuple[HalfDay, ...] = (HalfDay.AM, HalfDay.PM)
    morning: tuple[time, time] = (time(9, 0), time(12, 30))
    afternoon: tuple[time, time] = (time(13, 30), time(17, 0))
    trainer_id: int | None = None
    room_id: int | None = None


@dataclass(frozen=True)
class Skipped:
    day: date
    reason: str  # in French: the holiday's or the closure's name

    @property
    def message(self) -> str:
        return f"{long_date(self.day).capitalize()} : {self.reason}"


@dataclass
class PatternPlan:
    sessions: list[PlannedSession] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    missing_days: int = 0  # days that did not fit before `until`

    @property
    def days(self) -> list[date]:
        return sorted({s.date for s in self.sessions})

    @property
    def minutes(self) -> int:
        return sum(s.minutes for s in self.sessions)


def plan_pattern(
    pattern: Pattern,
    holidays: Mapping[date, str],
    closures: Sequence[Closure] = (),
    until: date | None = None,
) -> PatternPlan:
    """The first `pattern.days` open days from the start on the pattern's weekdays, skipping public holidays and
    closures; nothing after `until` (the run's last day)."""
    plan = PatternPlan()
    times = {HalfDay.AM: pattern.morning, HalfDay.PM: pattern.afternoon}
    last = min(until, pattern.start + HORIZON) if until else pattern.start + HORIZON
    placed, day = 0, pattern.start
    while placed < pattern.days and day <= last:
        if day.isoweekday() in pattern.weekdays:
            closure = next((c for c in closures if c.covers(day)), None)
            if day in holidays:
                plan.skipped.append(Skipped(day, f"jour férié ({holidays[day]})"))
            elif closure is not None:
                plan.skipped.append(Skipped(day, f"centre fermé ({closure.label})"))
            else:
                for half_day in (h for h in (HalfDay.AM, HalfDay.PM) if h in pattern.half_days):
                    start, end = times[half_day]
                    plan.sessions.append(
                        PlannedSession(
                            day, half_day, start, end, trainer_id=pattern.trainer_id, room_id=pattern.room_id
                        )
                    )
                placed += 1
        day += timedelta(days=1)
    plan.missing_days = pattern.days - placed
    return plan


@dataclass
class PatternPreview:
    run: Cohort
    pattern: Pattern
    plan: PatternPlan
    conflicts: list[Conflict]
    taken: list[date]  # days on which the run already has a live half-day the pattern would add again
    planned_minutes: int = 0  # what the run's live half-days already hold

    @property
    def excess_warning(self) -> str | None:
        """Said, not refused: an action may run longer at a client's request, but rarely by mistake."""
        total, budget = self.planned_minutes + self.plan.minutes, self.run.programme.total_minutes
        if total <= budget:
            return None
        return (
            f"Avec ce modèle, la session compterait {minutes_label(total)} pour {minutes_label(budget)} prévues "
            f"par l'action ({minutes_label(total - budget)} de trop)."
        )

    def refusals(self, today: date) -> list[str]:
        """What forbids saving, in French; conflicts are not among them (they may be accepted)."""
        found = []
        if not self.plan.sessions:
            found.append("Aucune demi-journée à placer avec ce modèle.")
        if self.pattern.start < today:
            found.append("Une séance ne peut pas être placée dans le passé.")
        if self.pattern.start < self.run.start_date:
            found.append(f"La session commence le {long_date(self.run.start_date)}.")
        if self.plan.missing_days:
            found.append(
                f"{self.plan.missing_days} jour(s) ne tiennent pas avant le dernier jour de la session "
                f"({long_date(self.run.end_date)}) : reportez sa date de fin ou changez les jours choisis."
            )
        found.extend(f"La session a déjà une séance le {long_date(day)}." for day in self.taken)
        return found


def preview_pattern(run: Cohort, pattern: Pattern) -> PatternPreview:
    """What the pattern would give in this run, with the double bookings it would make (four queries)."""
    end = run.end_date
    holidays = french_holidays(pattern.start, max(end, pattern.start))
    closures = tuple(
        Closure(c.start_date, c.end_date, c.label) for c in centre_closures(run.centre_id, pattern.start, end)
    )
    plan = plan_pattern(pattern, holidays, closures, until=end)
    candidates = [_booking(run, s) for s in plan.sessions]
    conflicts = find_conflicts(candidates, bookings_around(run.id, candidates))
    taken: list[date] = []
    if plan.sessions:
        slots = {s.slot for s in plan.sessions}
        existing = db.session.execute(
            sa.select(Session.date, Session.half_day).where(
                Session.cohort_id == run.id,
                Session.status == SessionStatus.PLANNED,
                Session.date.between(plan.sessions[0].date, plan.sessions[-1].date),
            )
        )
        taken = sorted({day for day, half_day in existing if (day, half_day) in slots})
    planned = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(SESSION_MINUTES), 0)).where(
            Session.cohort_id == run.id, Session.status == SessionStatus.PLANNED
        )
    )
    return PatternPreview(run, pattern, plan, conflicts, taken, int(planned))


def _booking(run: Cohort, planned: PlannedSession) -> Booking:
    return Booking(run.id, planned.date, planned.start_time, planned.end_time, planned.trainer_id, planned.room_id)


def apply_pattern(
    preview: PatternPreview, actor: User | None, *, accept_conflicts: bool = False, today: date | None = None
) -> list[Session]:
    """Write the previewed half-days, audited; refuses (nothing written) what `refusals` lists, and the conflicts
    unless accepted."""
    if refusals := preview.refusals(today or today_paris()):
        raise PlanningError(" ".join(refusals))
    if preview.conflicts and not accept_conflicts:
        raise ConflictsFound(preview.conflicts)
    clashing = {(c.date, c.start_time) for c in preview.conflicts}
    created = []
    for planned in preview.plan.sessions:
        session = Session(
            cohort_id=preview.run.id,
            date=planned.date,
            half_day=planned.half_day,
            start_time=planned.start_time,
            end_time=planned.end_time,
            trainer_id=planned.trainer_id,
            room_id=planned.room_id,
            # Placed by an admin, not by the alternance planner: re-planning must leave it where it is.
            manual=True,
            conflict_accepted=any(
                day == planned.date and planned.start_time <= t < planned.end_time for day, t in clashing
            ),
        )
        db.session.add(session)
        created.append(session)
    db.session.flush()
    for session in created:
        audit_session(actor, session, "create", None)
    db.session.flush()
    return created
