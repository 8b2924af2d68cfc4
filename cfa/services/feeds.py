"""Calendar subscriptions: which events a secret link shows, for an apprentice, a trainer, a tutor or a cohort.

Calendar apps cannot log in, so the link's token is the only key: it is long, random, unique, and
replaced (the old one dies at once) when its owner asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.models import CalendarPeriod, Cohort, Enrolment, PeriodKind, Role, Session, SessionRelease, User
from cfa.services.calendar_queries import session_details
from cfa.services.enrolments import followed_enrolments

MIN_TOKEN_LENGTH = 32


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


def _sessions(*conditions) -> list[Session]:
    stmt = sa.select(Session).where(*conditions).options(*session_details()).order_by(Session.date, Session.start_time)
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


def _periods(cohort_ids, kinds) -> list[CalendarPeriod]:
    stmt = (
        sa.select(CalendarPeriod)
        .where(CalendarPeriod.cohort_id.in_(list(cohort_ids)), CalendarPeriod.kind.in_(kinds))
        .order_by(CalendarPeriod.start_date)
    )
    return list(db.session.scalars(stmt))


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


def apprentice_events(enrolments: list[Enrolment], domain: str) -> list[FeedEvent]:
    """An apprentice's half-days at the centre, and their weeks with the employer, while enrolled."""
    events: list[FeedEvent] = []
    if not enrolments:
        return events
    by_cohort = {e.cohort_id: e for e in enrolments}
    sessions = _sessions(Session.cohort_id.in_(list(by_cohort)))
    events += [session_event(s, domain) for s in sessions if by_cohort[s.cohort_id].is_enrolled_on(s.date)]
    for period in _periods(by_cohort, [PeriodKind.FIELD]):
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


def tutor_events(tutor: User, domain: str) -> list[FeedEvent]:
    """One all-day event per followed apprentice and course week: when they are away at the centre."""
    enrolments = [e for e in followed_enrolments(tutor) if e.cohort_id]
    by_cohort: dict[int, list[Enrolment]] = {}
    for enrolment in enrolments:
        by_cohort.setdefault(enrolment.cohort_id, []).append(enrolment)
    events = []
    for period in _periods(by_cohort, [PeriodKind.COURSE]):
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


def user_feed(user: User, domain: str) -> tuple[str, list[FeedEvent]]:
    """The calendar name and events of a person's link: the union of what each of their roles follows."""
    events: dict[str, FeedEvent] = {}
    if user.has_role(Role.APPRENTICE, Role.LEARNER):
        stmt = (
            sa.select(Enrolment)
            .where(Enrolment.apprentice_id == user.id)
            .options(selectinload(Enrolment.employer), selectinload(Enrolment.cohort))
        )
        for event in apprentice_events(list(db.session.scalars(stmt)), domain):
            events[event.uid] = event
    if user.has_role(Role.TRAINER):
        for session in _sessions(Session.trainer_id == user.id):
            events.setdefault(f"session-{session.id}@{domain}", session_event(session, domain, with_cohort=True))
        released = sa.select(SessionRelease.session_id).where(SessionRelease.trainer_id == user.id)
        for session in _sessions(Session.id.in_(released), Session.trainer_id.is_distinct_from(user.id)):
            events.setdefault(
                f"session-{session.id}@{domain}", session_event(session, domain, with_cohort=True, released=True)
            )
    if user.has_role(Role.TUTOR):
        for event in tutor_events(user, domain):
            events[event.uid] = event
    return f"Cadence – {user.full_name}", list(events.values())


def cohort_feed(cohort: Cohort, domain: str) -> tuple[str, list[FeedEvent]]:
    events = [session_event(s, domain) for s in _sessions(Session.cohort_id == cohort.id)]
    for period in _periods([cohort.id], [PeriodKind.FIELD]):
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


def regenerate(owner) -> str:
    """A new link for the owner (a user or a cohort); the old one, if any, stops working. The caller commits."""
    token = owner.regenerate_calendar_token()
    db.session.flush()
    return token
