"""Double bookings: a trainer or a room is never at two overlapping sessions, across cohorts and centres."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time


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
