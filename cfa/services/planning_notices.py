"""Planning notices: the apprentices and their tutors hear of every change to the coming weeks at the centre.

The year plan PDF promises the employer that every change is notified. What changes a session (a move, a
cancellation, a re-plan, a session added) is in the audit trail; once a day, `build_digests(day)` reads that
day's changes to sessions of the next eight weeks and writes, through the outbox, one e-mail per person:
the apprentice for their own sessions, the tutor (the employer's side) for each of their apprentices.

Idempotent: a digest's key is the person and the day, so running it again rewrites a digest not yet sent,
never sends a second one, and removes one whose changes were all undone the same day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.formatting import PARIS, long_date
from cfa.models import AuditEvent, Cohort, Enrolment, OutboxMessage, SessionStatus, User

HORIZON = timedelta(weeks=8)
# Audit actions of planning.py that change a session; "update" includes a change of trainer or room only,
# which is filtered out below (the employer cares when the apprentice is away, not who teaches).
ACTIONS = ("update", "cancel", "create", "replan")
HALF_DAYS = {"am": "matin", "pm": "après-midi"}


@dataclass(frozen=True)
class Change:
    session_id: int
    cohort_id: int
    kind: str  # moved, cancelled, added
    before: dict | None  # the session at the start of the day (None: it did not exist)
    after: dict  # the session at the end of the day
    reason: str | None = None

    def days(self) -> set[date]:
        return {date.fromisoformat(s["date"]) for s in (self.before, self.after) if s}

    def sentence(self) -> str:
        if self.kind == "cancelled":
            # A re-plan's note already says "Annulée lors de…": keep only what follows.
            reason = (self.reason or "").removeprefix("Annulée ").strip()
            why = f" ({reason})" if reason else ""
            return f"- {_slot(self.before or self.after)} : annulée{why}."
        if self.kind == "added":
            return f"- Nouvelle séance : {_slot(self.after)}."
        return f"- {_slot(self.before)} : déplacée au {_slot(self.after)}."


def _slot(snapshot: dict) -> str:
    day = long_date(date.fromisoformat(snapshot["date"]))
    return f"{day}, {HALF_DAYS.get(snapshot['half_day'], '')} ({snapshot['start']}-{snapshot['end']})"


def _when(snapshot: dict) -> tuple:
    return (snapshot["date"], snapshot["half_day"], snapshot["start"], snapshot["end"])


def _classify(before: dict | None, after: dict) -> str | None:
    live_before = before is not None and before["status"] == SessionStatus.PLANNED.value
    live_after = after["status"] == SessionStatus.PLANNED.value
    if live_before and not live_after:
        return "cancelled"
    if live_after and not live_before:
        return "added"
    if live_before and live_after and _when(before) != _when(after):
        return "moved"
    return None  # a trainer or room change, or a session created and cancelled the same day


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=PARIS).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=PARIS).astimezone(UTC)
    return start, end


def day_changes(day: date) -> list[Change]:
    """The sessions of the next eight weeks (from `day`) moved, cancelled or added during `day`, Paris time."""
    start, end = _day_bounds(day)
    stmt = (
        sa.select(AuditEvent)
        .where(AuditEvent.entity == "session", AuditEvent.action.in_(ACTIONS), AuditEvent.at >= start)
        .where(AuditEvent.at < end)
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    first: dict[int, AuditEvent] = {}
    last: dict[int, AuditEvent] = {}
    for event in db.session.scalars(stmt):
        first.setdefault(event.entity_id, event)
        last[event.entity_id] = event
    changes = []
    for session_id, opening in first.items():
        closing = last[session_id]
        kind = _classify(opening.before, closing.after)
        if kind is None:
            continue
        change = Change(
            session_id,
            closing.context_id,
            kind,
            opening.before,
            closing.after,
            (closing.reason or (closing.after or {}).get("note")) if kind == "cancelled" else None,
        )
        if any(day <= d < day + HORIZON for d in change.days()):
            changes.append(change)
    return sorted(changes, key=lambda c: (min(c.days()), c.session_id))


def digest_key(user_id: int, day: date) -> str:
    return f"planning:{user_id}:{day.isoformat()}"


def build_digests(day: date) -> int:
    """Write (or rewrite) the day's digests in the outbox; returns how many are waiting to be sent."""
    changes = day_changes(day)
    by_cohort: dict[int, list[Change]] = {}
    for change in changes:
        by_cohort.setdefault(change.cohort_id, []).append(change)
    enrolments = list(
        db.session.scalars(
            sa.select(Enrolment)
            .where(Enrolment.cohort_id.in_(list(by_cohort)))
            .options(
                selectinload(Enrolment.apprentice),
                selectinload(Enrolment.tutor),
                selectinload(Enrolment.cohort).load_only(Cohort.name),
            )
            .order_by(Enrolment.id)
        )
    )
    # One digest per person: the apprentice's own changes, or a tutor's for each of their apprentices.
    sections: dict[int, tuple[User, list[tuple[Enrolment, list[Change]]]]] = {}
    for enrolment in enrolments:
        theirs = [c for c in by_cohort[enrolment.cohort_id] if any(enrolment.is_enrolled_on(d) for d in c.days())]
        if not theirs:
            continue
        for person in (enrolment.apprentice, enrolment.tutor):
            if person is not None and person.active and person.email:
                sections.setdefault(person.id, (person, []))[1].append((enrolment, theirs))
    pattern = f"planning:%:{day.isoformat()}"
    existing = {
        m.dedup_key: m
        for m in db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.dedup_key.like(pattern)))
    }
    waiting = 0
    for person_id, (person, parts) in sections.items():
        key = digest_key(person_id, day)
        message = existing.pop(key, None)
        if message is not None and message.sent_at is not None:
            continue  # told already; a second digest for the same day would repeat it
        if message is None:
            message = OutboxMessage(dedup_key=key)
            db.session.add(message)
        message.recipient = person.email
        message.subject, message.body_text = _digest_text(person, parts, day)
        message.send_after = datetime.now(UTC)
        waiting += 1
    for message in existing.values():
        if message.sent_at is None:
            db.session.delete(message)  # its changes were undone the same day: nothing to tell any more
    db.session.flush()
    return waiting


def _digest_text(person: User, parts: list[tuple[Enrolment, list[Change]]], day: date) -> tuple[str, str]:
    subject = f"Planning du centre de formation modifié le {day:%d/%m/%Y}"
    blocks = []
    for enrolment, changes in parts:
        own = enrolment.apprentice_id == person.id
        title = (
            f"Vos séances ({enrolment.cohort.name})"
            if own
            else (f"{enrolment.apprentice.full_name} ({enrolment.cohort.name})")
        )
        blocks.append(title + " :\n" + "\n".join(c.sentence() for c in changes))
    body = (
        f"Bonjour {person.full_name},\n\nLe planning des huit prochaines semaines au centre de formation a changé "
        f"le {long_date(day)} :\n\n" + "\n\n".join(blocks) + "\n\n"
        "Pendant une séance au centre, l'apprenti·e n'est pas dans l'entreprise ; une séance annulée est un temps "
        "en entreprise. Le planning à jour est dans Cadence et dans les agendas abonnés.\n\n"
        "Ceci est un message automatique de Cadence."
    )
    return subject, body
