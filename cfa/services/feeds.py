"""Calendar subscriptions: which events a secret link shows, for an apprentice, a trainer, a tutor or a cohort.

Calendar apps cannot log in, so the link's token is the only key: it is long, random, unique, and
replaced (the old one dies at once) when its owner asks.

Calendar apps poll every feed every few minutes, for years. So a feed holds a window (the last
`WINDOW_MONTHS` months and everything ahead), never the whole history, and its version (the ETag) is read
before anything is built: one statement of aggregates over what the feed holds (`user_version`,
`cohort_version`). An unchanged feed then answers 304 without loading a session. What the aggregates see:
- rows added or deleted: their count (a deletion moves no timestamp);
- rows changed: the greatest `updated_at` of the sessions and of every row whose text the events show (module,
  room, centre, cohort, trainer, apprentice, employer, enrolment);
- calendar periods, which are never edited in place (re-planning and hand edits delete and insert them): the
  sum and greatest of their ids;
- the day: the window's first day is part of the version, so an event leaving the window changes it.
"""

from __future__ import annotations

import calendar
import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from cfa.extensions import db
from cfa.models import (
    CalendarPeriod,
    Centre,
    Cohort,
    Employer,
    Enrolment,
    Module,
    PeriodKind,
    Role,
    Room,
    Session,
    SessionRelease,
    User,
)
from cfa.services.calendar_queries import session_details
from cfa.services.permissions import followed_enrolments_clause

MIN_TOKEN_LENGTH = 32
WINDOW_MONTHS = 3  # said on the subscription card (_macros/subscribe.html)
# Bumped when the events a feed builds from the same rows change (new field, new wording): every ETag changes.
FEED_FORMAT = 2


def window_start(today: date) -> date:
    """The first day a feed shows: the same day `WINDOW_MONTHS` months back (the month's last day if shorter)."""
    year, month = divmod(today.year * 12 + today.month - 1 - WINDOW_MONTHS, 12)
    month += 1
    return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class FeedEvent:
    """One calendar event as a feed shows it; the iCalendar renderer turns a list of them into bytes."""

    uid: str
    summary: str
    start: date | datetime  # a date for an all-day event; a naive Europe/Paris wall-clock time otherwise
    end: date | datetime  # exclusive, as in RFC 5545
    last_modified: datetime  # aware (UTC) or naive UTC
    sequence: int = 0
    cancelled: bool = False
    location: str | None = None
    description: str | None = None
    categories: tuple[str, ...] = ()

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, datetime)


def user_for_token(token: str) -> User | None:
    if len(token) < MIN_TOKEN_LENGTH:
        return None
    user = db.session.scalar(sa.select(User).where(User.calendar_token == token))
    return user if user is not None and user.active else None


def cohort_for_token(token: str) -> Cohort | None:
    if len(token) < MIN_TOKEN_LENGTH:
        return None
    return db.session.scalar(sa.select(Cohort).where(Cohort.calendar_token == token))


def _sessions(since: date, *conditions) -> list[Session]:
    stmt = (
        sa.select(Session)
        .where(Session.date >= since, *conditions)
        .options(*session_details())
        .order_by(Session.date, Session.start_time)
    )
    return list(db.session.scalars(stmt))


def session_event(session: Session, domain: str, with_cohort: bool = False, released: bool = False) -> FeedEvent:
    """`released`: shown to a trainer taken off the session, as cancelled for them (same UID, so their calendar
    app strikes the event it already holds instead of silently keeping or dropping it)."""
    module = session.module.title if session.module else "Formation"
    summary = f"{module} ({session.cohort.name})" if with_cohort else module
    where = ", ".join(x for x in (session.room.name if session.room else None, session.cohort.centre.name) if x)
    lines = [f"Promotion : {session.cohort.name}"]
    cancelled = session.is_cancelled or released
    if released:
        lines.append("Vous n'animez plus cette séance.")
    elif session.trainer:
        lines.append(f"Formateur·rice : {session.trainer.full_name}")
    if session.is_cancelled and session.note:
        lines.append(f"Annulée : {session.note}")
    return FeedEvent(
        uid=f"session-{session.id}@{domain}",
        summary=("Annulé : " if cancelled else "") + summary,
        start=datetime.combine(session.date, session.start_time),
        end=datetime.combine(session.date, session.end_time),
        last_modified=session.updated_at or session.created_at,
        sequence=session.sequence,
        cancelled=cancelled,
        location=where,
        description="\n".join(lines),
        categories=("Formation",),
    )


def _periods(since: date, cohort_ids, kinds) -> list[CalendarPeriod]:
    stmt = (
        sa.select(CalendarPeriod)
        .where(*_period_conditions(since, CalendarPeriod.cohort_id.in_(list(cohort_ids)), kinds))
        .order_by(CalendarPeriod.start_date)
    )
    return list(db.session.scalars(stmt))


def _period_conditions(since: date, cohort_condition, kinds) -> tuple:
    """A week astride the window's first day is shown whole: its UID (from its first day) stays the same."""
    return (cohort_condition, CalendarPeriod.kind.in_(kinds), CalendarPeriod.end_date >= since)


def _clip(period: CalendarPeriod, start: date, end: date) -> tuple[date, date] | None:
    first, last = max(period.start_date, start), min(period.end_date, end)
    return (first, last) if first <= last else None


def _all_day(uid: str, summary: str, first: date, last: date, changed: datetime | None, **extra) -> FeedEvent:
    return FeedEvent(
        uid=uid,
        summary=summary,
        start=first,
        end=last + timedelta(days=1),
        last_modified=changed or datetime(2000, 1, 1),
        **extra,
    )


def apprentice_events(enrolments: list[Enrolment], domain: str, since: date) -> list[FeedEvent]:
    """An apprentice's half-days at the centre, and their weeks with the employer, while enrolled."""
    events: list[FeedEvent] = []
    if not enrolments:
        return events
    by_cohort = {e.cohort_id: e for e in enrolments}
    sessions = _sessions(since, Session.cohort_id.in_(list(by_cohort)))
    events += [session_event(s, domain) for s in sessions if by_cohort[s.cohort_id].is_enrolled_on(s.date)]
    for period in _periods(since, by_cohort, [PeriodKind.FIELD]):
        enrolment = by_cohort[period.cohort_id]
        span = _clip(period, enrolment.contract_start, enrolment.last_day)
        if span:
            employer = enrolment.employer.name if enrolment.employer else "l'employeur"
            events.append(
                _all_day(
                    f"entreprise-{enrolment.id}-{span[0]:%Y%m%d}@{domain}",
                    f"En entreprise ({employer})",
                    *span,
                    enrolment.cohort.planned_at,
                    categories=("Entreprise",),
                )
            )
    return events


def tutor_events(tutor: User, domain: str, since: date) -> list[FeedEvent]:
    """One all-day event per followed apprentice and course week: when they are away at the centre."""
    stmt = (
        sa.select(Enrolment)
        .where(_followed_in_window(tutor, since))
        .options(selectinload(Enrolment.apprentice), selectinload(Enrolment.cohort).selectinload(Cohort.centre))
        .order_by(Enrolment.id)
    )
    enrolments = list(db.session.scalars(stmt))
    by_cohort: dict[int, list[Enrolment]] = {}
    for enrolment in enrolments:
        by_cohort.setdefault(enrolment.cohort_id, []).append(enrolment)
    events = []
    for period in _periods(since, by_cohort, [PeriodKind.COURSE]):
        for enrolment in by_cohort[period.cohort_id]:
            span = _clip(period, enrolment.contract_start, enrolment.last_day)
            if span:
                events.append(
                    _all_day(
                        f"centre-{enrolment.id}-{span[0]:%Y%m%d}@{domain}",
                        f"{enrolment.apprentice.full_name} au centre ({enrolment.cohort.name})",
                        *span,
                        enrolment.cohort.planned_at,
                        location=enrolment.cohort.centre.name,
                        categories=("Formation",),
                    )
                )
    return events


def _own_enrolments(user: User):
    return Enrolment.apprentice_id == user.id


def _released_sessions(user: User) -> tuple:
    released = sa.select(SessionRelease.session_id).where(SessionRelease.trainer_id == user.id)
    return Session.id.in_(released), Session.trainer_id.is_distinct_from(user.id)


def _followed_in_window(tutor: User, since: date):
    return sa.and_(
        followed_enrolments_clause(tutor),
        Enrolment.cohort_id.is_not(None),
        sa.func.coalesce(Enrolment.interrupted_on, Enrolment.contract_end) >= since,
    )


def user_feed(user: User, domain: str, since: date) -> tuple[str, list[FeedEvent]]:
    """The calendar name and events of a person's link from `since` on: the union of what each of their roles
    follows."""
    events: dict[str, FeedEvent] = {}
    if user.has_role(Role.APPRENTICE, Role.LEARNER):
        stmt = (
            sa.select(Enrolment)
            .where(_own_enrolments(user))
            .options(selectinload(Enrolment.employer), selectinload(Enrolment.cohort))
        )
        for event in apprentice_events(list(db.session.scalars(stmt)), domain, since):
            events[event.uid] = event
    if user.has_role(Role.TRAINER):
        for session in _sessions(since, Session.trainer_id == user.id):
            events.setdefault(f"session-{session.id}@{domain}", session_event(session, domain, with_cohort=True))
        for session in _sessions(since, *_released_sessions(user)):
            events.setdefault(
                f"session-{session.id}@{domain}", session_event(session, domain, with_cohort=True, released=True)
            )
    if user.has_role(Role.TUTOR):
        for event in tutor_events(user, domain, since):
            events[event.uid] = event
    return f"Cadence – {user.full_name}", list(events.values())


def cohort_feed(cohort: Cohort, domain: str, since: date) -> tuple[str, list[FeedEvent]]:
    events = [session_event(s, domain) for s in _sessions(since, Session.cohort_id == cohort.id)]
    for period in _periods(since, [cohort.id], [PeriodKind.FIELD]):
        events.append(
            _all_day(
                f"entreprise-promotion-{cohort.id}-{period.start_date:%Y%m%d}@{domain}",
                "En entreprise",
                period.start_date,
                period.end_date,
                cohort.planned_at,
                categories=("Entreprise",),
            )
        )
    return f"Cadence – {cohort.name}", events


def _session_figures(since: date, *conditions) -> list:
    """Aggregates over the sessions a feed shows and every row their events print: count, then the latest
    change of the sessions, modules, rooms, cohorts, centres and trainers (outer joins: a session may have no
    module, room or trainer)."""
    trainer = aliased(User)
    stmt = (
        sa.select(
            sa.func.count(Session.id),
            sa.func.max(Session.updated_at),
            sa.func.max(Module.updated_at),
            sa.func.max(Room.updated_at),
            sa.func.max(Cohort.updated_at),
            sa.func.max(Centre.updated_at),
            sa.func.max(trainer.updated_at),
        )
        .select_from(Session)
        .join(Cohort, Session.cohort_id == Cohort.id)
        .join(Centre, Cohort.centre_id == Centre.id)
        .outerjoin(Module, Session.module_id == Module.id)
        .outerjoin(Room, Session.room_id == Room.id)
        .outerjoin(trainer, Session.trainer_id == trainer.id)
        .where(Session.date >= since, *conditions)
    )
    return [stmt.subquery()]


def _period_figures(since: date, cohort_condition, kinds) -> list:
    """Periods are deleted and inserted, never edited in place: their count and ids tell any change."""
    stmt = sa.select(
        sa.func.count(CalendarPeriod.id),
        sa.func.coalesce(sa.func.sum(CalendarPeriod.id), 0),
        sa.func.max(CalendarPeriod.id),
    ).where(*_period_conditions(since, cohort_condition, kinds))
    return [stmt.subquery()]


def _enrolment_figures(condition) -> list:
    """The enrolments behind a feed (dates, interruption, cohort) and the names it prints of them."""
    apprentice = aliased(User)
    stmt = (
        sa.select(
            sa.func.count(Enrolment.id),
            sa.func.max(Enrolment.updated_at),
            sa.func.max(Employer.updated_at),
            sa.func.max(apprentice.updated_at),
            sa.func.max(Cohort.updated_at),
            sa.func.max(Centre.updated_at),
        )
        .select_from(Enrolment)
        .join(apprentice, Enrolment.apprentice_id == apprentice.id)
        .outerjoin(Employer, Enrolment.employer_id == Employer.id)
        .outerjoin(Cohort, Enrolment.cohort_id == Cohort.id)
        .outerjoin(Centre, Cohort.centre_id == Centre.id)
        .where(condition)
    )
    return [stmt.subquery()]


def _version(parts: list, figures: list) -> str:
    """Each figure is an aggregate subquery of one row: joined on TRUE, they are read in one statement."""
    row: tuple = ()
    if figures:
        joined = figures[0]
        for figure in figures[1:]:
            joined = joined.join(figure, sa.true())
        row = tuple(db.session.execute(sa.select(*(c for f in figures for c in f.c)).select_from(joined)).one())
    key = repr((FEED_FORMAT, *parts, *(str(value) for value in row)))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def user_version(user: User, domain: str, since: date) -> str:
    """The ETag of `user_feed(user, domain, since)`, read in one statement without building it."""
    roles = sorted(r.value for r in (Role.APPRENTICE, Role.LEARNER, Role.TRAINER, Role.TUTOR) if user.has_role(r))
    figures: list = []
    if user.has_role(Role.APPRENTICE, Role.LEARNER):
        cohorts = sa.select(Enrolment.cohort_id).where(_own_enrolments(user))
        figures += _enrolment_figures(_own_enrolments(user))
        figures += _session_figures(since, Session.cohort_id.in_(cohorts))
        figures += _period_figures(since, CalendarPeriod.cohort_id.in_(cohorts), [PeriodKind.FIELD])
    if user.has_role(Role.TRAINER):
        figures += _session_figures(since, Session.trainer_id == user.id)
        figures += _session_figures(since, *_released_sessions(user))
    if user.has_role(Role.TUTOR):
        followed = _followed_in_window(user, since)
        figures += _enrolment_figures(followed)
        cohorts = sa.select(Enrolment.cohort_id).where(followed)
        figures += _period_figures(since, CalendarPeriod.cohort_id.in_(cohorts), [PeriodKind.COURSE])
    return _version(["user", user.id, user.updated_at, roles, domain, since], figures)


def cohort_version(cohort: Cohort, domain: str, since: date) -> str:
    """The ETag of `cohort_feed(cohort, domain, since)`, read in one statement without building it."""
    figures = _session_figures(since, Session.cohort_id == cohort.id)
    figures += _period_figures(since, CalendarPeriod.cohort_id == cohort.id, [PeriodKind.FIELD])
    return _version(["cohort", cohort.id, cohort.updated_at, cohort.planned_at, domain, since], figures)


def regenerate(owner) -> str:
    """A new link for the owner (a user or a cohort); the old one, if any, stops working. The caller commits."""
    token = owner.regenerate_calendar_token()
    db.session.flush()
    return token
