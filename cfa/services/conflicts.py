"""Double bookings: a trainer or a room is never at two overlapping sessions, across cohorts and centres.

`find_conflicts` is pure (bookings in, clashes out); `bookings_around` loads the bookings it compares with
and `describe_conflicts` names the clashes in French, one query each.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from cfa.extensions import db
from cfa.formatting import long_date
from cfa.models import Cohort, Room, Session, SessionStatus, User


@dataclass(frozen=True)
class Booking:
    cohort_id: int
    date: date
    start_time: time
    end_time: time
    trainer_id: int | None
    room_id: int | None
    session_id: int | None = None  # None: not saved yet


@dataclass(frozen=True)
class Conflict:
    resource: str  # "trainer" or "room"
    resource_id: int
    date: date
    start_time: time
    end_time: time
    cohort_ids: tuple[int, int]  # the cohort being planned first, the one already booked second
    session_ids: tuple[int | None, int | None]

    @property
    def resource_label(self) -> str:
        return "Formateur·rice" if self.resource == "trainer" else "Salle"


def _overlap(a: Booking, b: Booking) -> bool:
    return a.start_time < b.end_time and b.start_time < a.end_time


def find_conflicts(candidates: Iterable[Booking], booked: Iterable[Booking]) -> list[Conflict]:
    """Every candidate that shares a trainer or a room with an overlapping booking or another candidate."""
    candidates = list(candidates)
    index: dict[tuple[str, int, date], list[Booking]] = defaultdict(list)
    for booking in booked:
        for resource, resource_id in (("trainer", booking.trainer_id), ("room", booking.room_id)):
            if resource_id is not None:
                index[(resource, resource_id, booking.date)].append(booking)
    conflicts: list[Conflict] = []
    for candidate in candidates:
        for resource, resource_id in (("trainer", candidate.trainer_id), ("room", candidate.room_id)):
            if resource_id is None:
                continue
            key = (resource, resource_id, candidate.date)
            for other in index[key]:
                same = other.session_id is not None and other.session_id == candidate.session_id
                if not same and _overlap(candidate, other):
                    conflicts.append(
                        Conflict(
                            resource,
                            resource_id,
                            candidate.date,
                            max(candidate.start_time, other.start_time),
                            min(candidate.end_time, other.end_time),
                            (candidate.cohort_id, other.cohort_id),
                            (candidate.session_id, other.session_id),
                        )
                    )
            # Candidates book too: two of them (two cohorts planned at once) may clash with each other.
            index[key].append(candidate)
    return conflicts


def bookings_around(cohort_id: int, candidates: list[Booking]) -> list[Booking]:
    """Other cohorts' live sessions that could clash: same days, same trainers or rooms (one query)."""
    if not candidates:
        return []
    trainers = {c.trainer_id for c in candidates if c.trainer_id}
    rooms = {c.room_id for c in candidates if c.room_id}
    stmt = sa.select(
        Session.id,
        Session.cohort_id,
        Session.date,
        Session.start_time,
        Session.end_time,
        Session.trainer_id,
        Session.room_id,
    ).where(
        Session.cohort_id != cohort_id,
        Session.status == SessionStatus.PLANNED,
        Session.date.between(min(c.date for c in candidates), max(c.date for c in candidates)),
        sa.or_(Session.trainer_id.in_(trainers), Session.room_id.in_(rooms)),
    )
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


def upcoming_double_bookings(today: date, limit: int) -> tuple[list[Conflict], int]:
    """Live half-days from today on that share a trainer or a room with another overlapping one (each pair once,
    soonest first, the first `limit`), and how many pairs there are: accepted clashes stay here until resolved."""
    first, second = aliased(Session), aliased(Session)
    same_trainer = sa.and_(first.trainer_id.is_not(None), first.trainer_id == second.trainer_id)
    same_room = sa.and_(first.room_id.is_not(None), first.room_id == second.room_id)
    stmt = (
        sa.select(first, second.cohort_id, second.id, same_trainer.label("trainer"))
        .join(second, sa.and_(second.date == first.date, second.id > first.id))
        .where(
            first.date >= today,
            first.status == SessionStatus.PLANNED,
            second.status == SessionStatus.PLANNED,
            first.start_time < second.end_time,
            second.start_time < first.end_time,
            sa.or_(same_trainer, same_room),
        )
    )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
    rows = db.session.execute(stmt.order_by(first.date, first.start_time, first.id).limit(limit))
    return [
        Conflict(
            "trainer" if by_trainer else "room",
            a.trainer_id if by_trainer else a.room_id,
            a.date,
            a.start_time,
            a.end_time,
            (a.cohort_id, other_cohort),
            (a.id, other_id),
        )
        for a, other_cohort, other_id, by_trainer in rows
    ], total
